"""Use cases of the product, each one database transaction: deploy a process set, start a case,
complete a task, deliver a message, fire due timers; and the reads that go with them."""
