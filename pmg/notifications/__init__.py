"""Mail to the people a change concerns: an outbox written with the change, sent after."""
