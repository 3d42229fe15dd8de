from urllib.parse import urlsplit

from chassis.operations.service_logins import ServiceLogin


def test_the_defaults_are_the_services_name_and_its_development_passwords() -> None:
    login = ServiceLogin.from_environment("accounts-service", {})
    assert login == ServiceLogin(
        service="accounts",
        database_user="accounts",
        database_password="accounts-dev-db-password",
        broker_user="accounts",
        broker_password="accounts-dev-amqp-password",
    )


def test_names_and_passwords_come_from_the_services_own_variables() -> None:
    env = {
        "PROJECTS_DB_USER": "projects_app",
        "PROJECTS_DB_PASSWORD": "s3cret",
        "PROJECTS_AMQP_USER": "projects_bus",
        "PROJECTS_AMQP_PASSWORD": "an0ther",
        "ACCOUNTS_DB_PASSWORD": "not-for-projects",
    }
    login = ServiceLogin.from_environment("projects", env)
    assert (login.database_user, login.database_password) == ("projects_app", "s3cret")
    assert (login.broker_user, login.broker_password) == ("projects_bus", "an0ther")


def test_its_urls_keep_the_admins_server_database_and_vhost_and_quote_the_password() -> None:
    login = ServiceLogin("accounts", "accounts", "p@ss:w/rd", "accounts", "a b")
    database = urlsplit(login.database_url("postgresql://postgres:x@db.local:6432/taskboard"))
    assert (database.hostname, database.port, database.path) == ("db.local", 6432, "/taskboard")
    assert database.username == "accounts"
    assert database.password == "p%40ss%3Aw%2Frd"
    broker = urlsplit(login.amqp_url("amqp://guest:guest@mq.local:5672/%2F"))
    assert (broker.hostname, broker.port, broker.path) == ("mq.local", 5672, "/%2F")
    assert (broker.username, broker.password) == ("accounts", "a%20b")
    assert login.amqp_url("amqp://mq.local/") == "amqp://accounts:a%20b@mq.local/"
