"""RabbitMQ: broker, outbox relay, reliable consumers and their queues."""
