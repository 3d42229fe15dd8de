"""What the routes of ``/api/projects`` document besides success, and where a project lives."""

from chassis import problem_responses

# 503: accounts' keys never fetched yet, or the database unreachable (with Retry-After).
READ = problem_responses(401, 404, 422, 503)
WRITE = problem_responses(400, 401, 404, 409, 415, 422, 503)


def project_location(project_id: object) -> str:
    return f"/api/projects/{project_id}"
