import { ApiClient } from '../../client/api-client.js';
import { CredentialStore } from '../../client/credentials.js';
import { deviceLogin, discover } from '../../client/oauth.js';
import { openBrowser } from '../open-browser.js';
import { printJson, printNotice, printResult } from '../output.js';
import { clientApiUrl, type ClientFlags } from './client-config.js';

/**
 * `evbook login`: the device flow. Shows where to go and the code, waits while the
 * person signs in and approves in any browser, then keeps the tokens (0600).
 */
export interface LoginFlags extends ClientFlags {
  /** False with --no-browser. */
  browser?: boolean;
}

export async function runLogin(flags: LoginFlags): Promise<void> {
  const apiUrl = clientApiUrl(flags);
  const config = await discover(apiUrl);
  const session = await deviceLogin(config, (code) => {
    printNotice(`To log in, open ${code.verificationUri} and enter the code ${code.userCode}`);
    if (code.verificationUriComplete) printNotice(`or open ${code.verificationUriComplete}`);
    if (flags.browser !== false) {
      openBrowser(code.verificationUriComplete ?? code.verificationUri);
    }
    printNotice(
      `Waiting for approval (the code expires in ${Math.round(code.expiresIn / 60)} minutes)...`,
    );
  });
  await new CredentialStore().set(apiUrl, session);

  const user = await new ApiClient(apiUrl, async () => session.accessToken).me();
  if (flags.json) return printJson(user);
  printResult(`Logged in as ${user.name} <${user.email}> (${user.role}).`);
}
