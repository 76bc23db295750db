"""deploy/ stays honest without Docker: every variable documented, the compose file, the proxy
and the image agreeing with each other and with the code, and the image's build step run."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PLATFORM_SERVICES = {"migrate", "web-1", "web-2", "worker", "scheduler"}
WEB_SERVICES = {"web-1", "web-2"}

# env("X"), env.str("X", ...), env.db("X") ... and os.environ / os.getenv reads.
_ENV_READ = re.compile(
    r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ(?:\.get\(\s*|\[\s*)["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.getenv\(\s*["']([A-Z][A-Z0-9_]*)["']"""
)
_DOCUMENTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
_INTERPOLATED = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")
_SHELL_DEFAULTED = re.compile(r"\$\{([A-Z][A-Z0-9_]*):-")


def documented() -> set[str]:
    return set(_DOCUMENTED.findall((DEPLOY / "env.example").read_text()))


def variables_read_by_the_platform() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((ROOT / "backend").rglob("*.py")):
        for match in _ENV_READ.finditer(path.read_text()):
            name = next(group for group in match.groups() if group)
            found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def test_the_example_environment_documents_every_variable_the_platform_reads():
    read = variables_read_by_the_platform()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "LOG_FORMAT"} <= set(read), (
        "the scan finds the settings' reads"
    )
    missing = {name: where for name, where in read.items() if name not in documented()}
    assert missing == {}, f"read but not in deploy/env.example: {missing}"


def test_the_readme_configuration_table_lists_every_variable_the_settings_read():
    settings_reads = {
        name
        for name, where in variables_read_by_the_platform().items()
        if where == "backend/config/settings.py"
    }
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Field encryption")]
    rows = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)`", table, re.MULTILINE))
    assert {"SECRET_KEY", "DATABASE_URL"} <= rows, "the scan finds the table's rows"
    assert settings_reads - rows == set()


def test_the_example_environment_documents_what_the_processes_and_compose_read():
    entrypoint = (DEPLOY / "entrypoint.sh").read_text()
    used = set(_SHELL_DEFAULTED.findall(entrypoint)) | {"DEBUG"}
    text = (DEPLOY / "docker-compose.yml").read_text()
    used |= set(_INTERPOLATED.findall(text))
    for name in PLATFORM_SERVICES:
        used |= set(compose()["services"][name].get("environment", {}))
    assert used - documented() == set()


def test_the_example_environment_leaves_every_secret_empty():
    values = dict(
        line.split("=", 1)
        for line in (DEPLOY / "env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    for secret in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        assert values[secret] == "", f"{secret} must be generated, never shipped"
    assert values["DEBUG"] == "0"


def test_compose_runs_every_role_after_a_one_shot_migration():
    services = compose()["services"]
    assert {"postgres", "redis", "proxy"} | PLATFORM_SERVICES <= set(services)
    roles = {name: services[name]["command"] for name in PLATFORM_SERVICES}
    assert roles == {
        "migrate": ["migrate"],
        "web-1": ["web"],
        "web-2": ["web"],
        "worker": ["worker"],
        "scheduler": ["scheduler"],
    }
    assert services["migrate"]["restart"] == "no"
    for name in PLATFORM_SERVICES - {"migrate"}:
        conditions = {dep: spec["condition"] for dep, spec in services[name]["depends_on"].items()}
        assert conditions["migrate"] == "service_completed_successfully", name
        assert conditions["postgres"] == "service_healthy", name
    for name in PLATFORM_SERVICES:
        service = services[name]
        # Paths in a compose file are relative to its folder.
        context = (DEPLOY / service["build"]["context"]).resolve()
        assert context == ROOT
        assert (context / service["build"]["dockerfile"]).is_file()
        assert service["env_file"] == "platform.env"
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert "@postgres:5432/" in service["environment"]["DATABASE_URL"]
        # Only the web processes answer /healthz; the image's check is off for the others.
        assert ("healthcheck" in service) == (name not in WEB_SERVICES), name
    assert services["proxy"]["depends_on"] == {
        name: {"condition": "service_healthy"} for name in WEB_SERVICES
    }


def test_the_proxy_balances_exactly_the_web_services_and_passes_websockets():
    services = compose()["services"]
    platform_conf = (DEPLOY / "nginx" / "platform.conf").read_text()
    upstreams = set(re.findall(r"^\s*server\s+([\w.-]+:\d+)", platform_conf, re.MULTILINE))
    assert upstreams == {f"{name}:{services[name]['environment']['PORT']}" for name in WEB_SERVICES}

    mounted = services["proxy"]["volumes"] + services["postgres"]["volumes"]
    for source in {volume.split(":")[0] for volume in mounted if volume.startswith("./")}:
        # Certificates and backups are the operator's; everything else ships in deploy/.
        if source not in ("./certs", "./backups"):
            assert (DEPLOY / source).exists(), source
    shared = (DEPLOY / "nginx" / "proxy-server.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade;" in shared
    assert "proxy_set_header Connection $connection_upgrade;" in shared
    assert re.search(r"location /ws/ \{[^}]*proxy_read_timeout 1h;", shared)
    http_conf = (DEPLOY / "nginx" / "proxy-http.conf").read_text()
    log_format = http_conf[
        http_conf.index("log_format") : http_conf.index(";", http_conf.index("log_format"))
    ]
    assert '"path":"$uri"' in log_format
    assert "$request_uri" not in log_format
    assert "$args" not in log_format
    assert '"$request"' not in log_format


def test_the_image_builds_the_web_app_and_runs_as_a_locked_non_root_platform():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)\s+AS\s+(\w+)", dockerfile, re.MULTILINE)
    assert [image.split(":")[0] for image, _ in stages] == ["node", "python"]
    assert stages[0][0].startswith("node:20")
    assert stages[1][0].startswith("python:3.11-slim")
    assert "npm ci" in dockerfile
    assert "npm run build" in dockerfile
    assert "pip install --require-hashes" in dockerfile
    for source in re.findall(r"^COPY (?!--from)(\S+)", dockerfile, re.MULTILINE):
        assert (ROOT / source).exists(), source
    user = dockerfile.index("\nUSER platform")
    assert user < dockerfile.index("\nENTRYPOINT")
    assert "/healthz" in dockerfile[dockerfile.index("HEALTHCHECK") :]
    assert 'ENTRYPOINT ["deploy/entrypoint.sh"]' in dockerfile


def test_the_images_static_files_step_runs_with_production_settings(tmp_path):
    """The Dockerfile's collectstatic RUN line, as written, with the production settings."""
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    [step] = re.findall(r"^RUN (SECRET_KEY=.*?collectstatic[^\n]*)$", dockerfile, re.M | re.S)
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"}
    }
    result = subprocess.run(
        ["bash", "-c", step.replace("\\\n", " ")],
        cwd=ROOT,
        env={**clean, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (ROOT / "staticfiles" / "admin" / "css" / "base.css").is_file()


@pytest.mark.skipif(
    shutil.which("nginx") is None, reason="needs nginx (apt-get install nginx-light)"
)
def test_the_production_proxy_configuration_is_valid_nginx(tmp_path):
    """platform.conf as mounted in compose, with the container names pointed at this machine
    and a throwaway certificate: nginx -t accepts it."""
    etc = tmp_path / "etc"
    (etc / "platform").mkdir(parents=True)
    (etc / "certs").mkdir()
    for name in ("proxy-http.conf", "proxy-server.conf"):
        shutil.copy(DEPLOY / "nginx" / name, etc / "platform" / name)
    conf = (DEPLOY / "nginx" / "platform.conf").read_text()
    conf = conf.replace("/etc/nginx/", f"{etc}/").replace("/var/log/nginx/", f"{tmp_path}/")
    conf = re.sub(r"server web-\d:", "server 127.0.0.1:", conf)
    (etc / "platform.conf").write_text(conf)
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-keyout", str(etc / "certs" / "privkey.pem")),
            *("-out", str(etc / "certs" / "fullchain.pem")),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    (etc / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{\n    include {etc}/platform.conf;\n}}\n"
    )

    result = subprocess.run(
        [
            "nginx",
            "-t",
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-c",
            str(etc / "nginx.conf"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
