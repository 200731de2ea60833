import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createMailer } from '../../src/jobs/mailers/create.js';
import { loadConfig } from '../../src/shared/config.js';
import { ConfigError } from '../../src/shared/errors.js';
import { createLogger } from '../../src/shared/logger.js';
import { TestSmtp } from '../helpers/smtp.js';

function capture(): { stream: Writable; lines: () => any[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
  };
}

describe('mailers', () => {
  it('console: writes one log line per email naming recipient and subject', async () => {
    const out = capture();
    const mailer = createMailer(loadConfig({}), createLogger({ destination: out.stream }));
    expect(mailer.kind).to.equal('console');
    await mailer.send({ to: 'ann@example.test', subject: 'Booking confirmed: Gig', text: 'Hello' });
    await mailer.send({ to: 'bob@example.test', subject: 'Cancelled: Gig', text: 'Hello' });
    const lines = out.lines();
    expect(lines).to.have.length(2);
    expect(lines[0].msg).to.equal('email to ann@example.test: Booking confirmed: Gig');
    expect(lines[0].mail).to.deep.equal({
      to: 'ann@example.test',
      subject: 'Booking confirmed: Gig',
    });
    expect(lines[1].msg).to.equal('email to bob@example.test: Cancelled: Gig');
  });

  it('smtp: delivers through the configured server, From included', async () => {
    const smtp = await TestSmtp.start();
    try {
      const config = loadConfig({
        EVBOOK_MAIL_URL: smtp.url,
        EVBOOK_MAIL_FROM: 'Tickets <t@example.test>',
      });
      const mailer = createMailer(config, createLogger({ level: 'silent' }));
      expect(mailer.kind).to.equal('smtp');
      await mailer.send({
        to: 'ann@example.test',
        subject: 'Hi there',
        text: 'Line one\nLine two',
      });
      await mailer.close();
      expect(smtp.received).to.have.length(1);
      expect(smtp.received[0]).to.include({ subject: 'Hi there' });
      expect(smtp.received[0]!.to).to.deep.equal(['ann@example.test']);
      expect(smtp.received[0]!.body).to.include('Line one\nLine two');
    } finally {
      await smtp.close();
    }
  });

  it('smtp: a refused message throws, so the job is retried', async () => {
    const smtp = await TestSmtp.start();
    try {
      smtp.failNext(1);
      const mailer = createMailer(
        loadConfig({ EVBOOK_MAIL_URL: smtp.url }),
        createLogger({ level: 'silent' }),
      );
      let failure: any;
      await mailer
        .send({ to: 'a@example.test', subject: 's', text: 't' })
        .catch((error) => (failure = error));
      expect(failure?.responseCode).to.equal(451);
      expect(smtp.received).to.have.length(0);
    } finally {
      await smtp.close();
    }
  });

  it('rejects a bad EVBOOK_MAIL_URL with one line naming the variable', () => {
    expect(() => loadConfig({ EVBOOK_MAIL_URL: 'mailto:x' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/^EVBOOK_MAIL_URL must be console or smtp\(s\):\/\/host:port/);
    expect(() => loadConfig({ EVBOOK_JOB_ATTEMPTS: '0' })).to.throw(
      /^EVBOOK_JOB_ATTEMPTS must be at least 1/,
    );
  });
});
