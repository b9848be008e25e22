import nodemailer from 'nodemailer';

/** A composed mail as the outbox stores it; sent as it is, so a retry sends the same bytes' worth. */
export interface StoredMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export interface MailSender {
  /** Resolves once the SMTP server accepted the mail for its recipient; rejects otherwise. */
  send(mail: StoredMail, envelope: { from: string; messageId: string; date: Date }): Promise<void>;
  close(): void;
}

/** nodemailer over SMTP, configured from --smtp-url (TLS and auth as nodemailer reads them from the URL). */
export function smtpSender(url: string): MailSender {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  } as never);
  return {
    async send(mail, { from, messageId, date }) {
      const info = await transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: mail.headers,
        messageId,
        date,
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      const accepted = info.accepted as unknown[];
      if (!accepted.length) throw new Error(`the server accepted no recipient: ${String(info.response)}`);
    },
    close: () => transport.close(),
  };
}
