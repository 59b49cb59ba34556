import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DemoMailbox } from './demo-mailbox.ts';
import { smtpTransport } from '../messages/transports.ts';
import { loadConfig } from '../config.ts';

test('the demo mailbox shows the e-mail caught over SMTP and the SMS, escaped, links clickable', async () => {
  const box = new DemoMailbox();
  await box.start();
  try {
    const config = loadConfig({
      env: {},
      overrides: {
        messages: { email: { host: '127.0.0.1', port: box.smtp.port, from: 'Demo <d@demo.invalid>' } },
      },
    });
    const mail = smtpTransport(config.messages.email)!;
    await mail.send({
      to: 'a@example.org',
      subject: 'Codice <123>',
      text: 'Link: http://x.test/booking/#cancel=abc',
    });
    mail.close();
    await box.smtp.waitFor(1);
    await box.sms.send('+39 333 1', 'Codice 123 456 789');
    const html = await (await fetch(box.url)).text();
    assert.match(html, /Codice &lt;123&gt;/);
    assert.match(html, /<a href="http:\/\/x\.test\/booking\/#cancel=abc">/);
    assert.match(html, /SMS to \+39 333 1/);
    assert.ok(html.indexOf('SMS to') < html.indexOf('Codice &lt;123&gt;'), 'newest first');
  } finally {
    await box.close();
  }
});
