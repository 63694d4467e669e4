/* MAIL notifications through libcurl SMTP (internal). */
#ifndef DROVE_EPOCH_MAIL_H
#define DROVE_EPOCH_MAIL_H

#include <drove/strlist.h>

typedef struct drove__epoch_mail {
	const char *server; /* notify.smtpServer */
	int port;           /* notify.port */
	int tls;            /* notify.tls: STARTTLS required (port 465: implicit TLS) */
	const char *username, *password;
	const char *from; /* the sender address */
} drove__epoch_mail;

/* Send one plain-text message to every address of `to` (nothing when empty). Blocks (any
 * thread). @return 0, DROVE_EINVAL (a line break in the subject), DROVE_EUNAVAIL (the SMTP
 * exchange failed; the message has curl's reason) or DROVE_ENOMEM. */
int drove__epoch_mail_send(const drove__epoch_mail *m, const drove_strlist *to, const char *subject,
                           const char *body);

#endif
