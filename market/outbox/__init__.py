"""The one outbox every email goes through: a row written in the same transaction as the change that causes it,
sent by the worker, retried with backoff, and marked failed (visible to staff) after the cap."""
