// Module customization hooks (node:module register): append every resolved module URL
// to the file named by EVBOOK_MODULE_LOG, to see what a command loads.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.EVBOOK_MODULE_LOG)
    appendFileSync(process.env.EVBOOK_MODULE_LOG, `${result.url}\n`);
  return result;
}
