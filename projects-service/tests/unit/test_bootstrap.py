"""The composition root builds the real graph around fakes, with no I/O: the wiring is tested."""

from uuid import uuid4

from projects.application.commands import CreateProject
from projects.application.project_handlers import create_project
from projects.application.queries import ListProjects
from projects.application.query_handlers import list_projects
from projects.bootstrap import bootstrap
from projects.config import Settings

from .fakes import FakeJwksFetcher, FakeProjectReadModel, FakeUnitOfWork


async def test_bootstrap_takes_fakes_for_its_ports_and_a_use_case_runs_through_it() -> None:
    uow = FakeUnitOfWork()
    container = bootstrap(
        Settings(environment="dev"),
        jwks_fetcher=FakeJwksFetcher({"keys": []}),
        uow=lambda: uow,
        read_model=FakeProjectReadModel(),
    )
    owner = uuid4()
    try:
        project = await create_project(CreateProject(owner, "Garden"), container.uow())
        assert uow.projects.projects == {project.id: project}
        assert [type(event).__name__ for event in uow.published] == ["ProjectCreated"]
        page = await list_projects(ListProjects(owner), container.read_model)
        assert page.total == 0  # the fake read model given to bootstrap answered
    finally:
        await container.close()
