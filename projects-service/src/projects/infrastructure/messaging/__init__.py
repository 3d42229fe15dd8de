"""RabbitMQ through FastStream: the outbox relay and the reliable-consumer machinery."""
