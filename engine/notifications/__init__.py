"""Notifications: nobody has to look for work. A change of a case writes the events it makes for organisations
and users into an outbox in its own transaction (`outbox`); a sender process (`sender`, the command
`flask --app engine notify`) turns them into deliveries by e-mail (`mail`, with a meeting's invitation from
`calendar_invite`) and webhook (`webhooks`), as each user chose (`preferences`), and delivers them once each."""
