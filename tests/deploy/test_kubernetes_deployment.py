"""The Kubernetes deployment in deploy/: rendered with kubectl, checked as a platform team would check it.

The first test runs scripts/check_deploy.sh (schemas with kubernetes-validate, policies with
checkov; its venv is made from requirements/deploy-check.lock on first use, about two minutes);
the others read the rendered production overlay for what the bot itself needs of it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.deploy

CHECK = ROOT / "scripts" / "check_deploy.sh"
SECRET_NAMES = re.compile(r"TOKEN|PASSWORD|SECRET|KEY|_URL$|APPSECRET")


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(CHECK), *args], capture_output=True, text=True, timeout=900, check=False)


@pytest.fixture(scope="module")
def production() -> list[dict[str, Any]]:
    if not shutil.which("kubectl"):
        pytest.skip("kubectl is not installed")
    out = subprocess.run(
        ["kubectl", "kustomize", str(ROOT / "deploy" / "overlays" / "production")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


def find(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert matches, f"no {kind} {name}"
    return matches[0]


def pod_specs(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o["spec"]["template"]["spec"] for o in objects if o["kind"] in {"Deployment", "Job"}}


def test_every_overlay_passes_the_kubernetes_schemas_and_the_policy_checks_or_names_its_exceptions() -> None:
    result = run_check()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "production: 25 objects" in result.stdout
    assert re.search(r"checkov kubernetes: [1-9]\d* passed, 0 failed", result.stdout)
    assert re.search(r"checkov dockerfile \(2 files\): [1-9]\d* passed, 0 failed", result.stdout)
    exceptions = yaml.safe_load((ROOT / "deploy" / "policy-exceptions.yaml").read_text())
    for check in exceptions:
        assert f"exception {check}: " in result.stdout


def test_the_check_fails_on_an_invalid_field_and_on_a_writable_root_file_system(tmp_path: Path) -> None:
    broken = tmp_path / "deploy"
    shutil.copytree(ROOT / "deploy", broken)
    web = broken / "base" / "web.yaml"
    text = web.read_text().replace("replicas: 2", "replicas: two", 1)
    web.write_text(text.replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"))
    result = run_check("--deploy-dir", str(broken), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "schema: production: Deployment/g5care-web: 'two' is not of type 'integer'" in result.stdout
    assert "policy: CKV_K8S_22 Deployment.g5care.g5care-web" in result.stdout


def test_no_secret_is_in_a_manifest_only_references_to_the_operators_secrets(production: list[dict[str, Any]]) -> None:
    assert not [o for o in production if o["kind"] == "Secret"]
    settings = find(
        production, "ConfigMap", next(o["metadata"]["name"] for o in production if o["kind"] == "ConfigMap")
    )
    assert not [k for k, v in settings["data"].items() if SECRET_NAMES.search(k) and "://" in v and "@" in v]
    for name, spec in pod_specs(production).items():
        for container in spec.get("initContainers", []) + spec["containers"]:
            for env in container.get("env", []):
                if SECRET_NAMES.search(env["name"]):
                    assert "secretKeyRef" in env.get("valueFrom", {}), f"{name}: {env['name']} is inlined"
            refs = [r["secretRef"]["name"] for r in container.get("envFrom", []) if "secretRef" in r]
            assert set(refs) <= {"g5care-secrets", "g5care-wechat"}


def test_every_pod_runs_as_non_root_on_a_read_only_root_with_limits(production: list[dict[str, Any]]) -> None:
    specs = pod_specs(production)
    assert set(specs) == {"g5care-rasa", "g5care-actions", "g5care-web", "g5care-desk-worker", "g5care-migrate"}
    for name, spec in specs.items():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec.get("initContainers", []) + spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert "memory" in container["resources"]["limits"], name


def test_the_rasa_pod_runs_one_worker_is_ready_on_status_with_the_token_and_alive_on_root(
    production: list[dict[str, Any]],
) -> None:
    spec = pod_specs(production)["g5care-rasa"]
    rasa = spec["containers"][0]
    env = {e["name"]: e for e in rasa["env"]}
    assert env["SANIC_WORKERS"]["value"] == "1"
    assert env["RASA_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "g5care-secrets", "key": "RASA_TOKEN"}
    assert "--auth-token=$(RASA_TOKEN)" in rasa["args"]
    for probe in ("startupProbe", "readinessProbe"):
        command = " ".join(rasa[probe]["exec"]["command"])
        assert "/status?token=" in command and "os.environ['RASA_TOKEN']" in command
    assert rasa["livenessProbe"]["httpGet"]["path"] == "/"
    # Its endpoints.yml comes from the project's own settings code, with the atomic lock store.
    init = spec["initContainers"][0]
    assert init["command"][-4:] == ["bot.cli", "render-endpoints", "--out", "/config/endpoints.yml"]


def test_pods_stop_after_their_running_turns_not_in_the_middle_of_one(production: list[dict[str, Any]]) -> None:
    settings = next(o for o in production if o["kind"] == "ConfigMap")["data"]
    lock_lifetime = float(settings["LOCK_LIFETIME_SECONDS"])
    spec = pod_specs(production)["g5care-rasa"]
    rasa = spec["containers"][0]
    pause = int(rasa["lifecycle"]["preStop"]["exec"]["command"][-1])
    drain = int({e["name"]: e.get("value") for e in rasa["env"]}["SANIC_GRACEFUL_SHUTDOWN_TIMEOUT"])
    assert spec["terminationGracePeriodSeconds"] > pause + drain
    assert drain >= lock_lifetime  # a turn that holds the lock for its whole lifetime still finishes
    for name in ("g5care-actions", "g5care-web"):
        assert "preStop" in pod_specs(production)[name]["containers"][0]["lifecycle"]


def test_both_bot_servers_start_through_the_projects_entry_points(production: list[dict[str, Any]]) -> None:
    """Numbers masked in their logs from the start; the Rasa server with the Rasa patches installed."""
    specs = pod_specs(production)
    rasa = specs["g5care-rasa"]["containers"][0]
    assert rasa["command"] == ["python", "-m", "rasa_server"] and rasa["args"][0] == "run"
    assert specs["g5care-actions"]["containers"][0]["command"] == ["python", "-m", "actions", "--port", "5055"]
    docker = ROOT / "deploy" / "docker"
    assert 'ENTRYPOINT ["python", "-m", "rasa_server"]' in (docker / "server.Dockerfile").read_text()
    assert 'CMD ["python", "-m", "actions", "--port", "5055"]' in (docker / "app.Dockerfile").read_text()


def test_the_desk_runs_its_worker_apart_and_migrations_run_as_a_job(production: list[dict[str, Any]]) -> None:
    specs = pod_specs(production)
    web = specs["g5care-web"]["containers"][0]
    assert {"name": "NOTIFY_WORKER_ENABLED", "value": "false"} in web["env"]
    assert specs["g5care-desk-worker"]["containers"][0]["command"][2:4] == ["bot.cli", "desk-worker"]
    assert "alembic upgrade head" in " ".join(specs["g5care-migrate"]["containers"][0]["command"])


def test_socket_io_is_sticky_and_the_wechat_and_desk_paths_are_not(production: list[dict[str, Any]]) -> None:
    sticky = find(production, "Ingress", "g5care-chat-socketio")
    assert sticky["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    [socket_path] = sticky["spec"]["rules"][0]["http"]["paths"]
    assert (socket_path["path"], socket_path["backend"]["service"]["name"]) == ("/socket.io", "g5care-rasa-socketio")
    plain = find(production, "Ingress", "g5care")
    assert "nginx.ingress.kubernetes.io/affinity" not in plain["metadata"]["annotations"]
    routes = {p["path"]: p["backend"]["service"]["name"] for p in plain["spec"]["rules"][0]["http"]["paths"]}
    assert routes == {
        "/webhooks/wechat_oa": "g5care-rasa",
        "/webhooks/wecom": "g5care-rasa",
        "/webhooks/wecom_kf": "g5care-rasa",
        "/": "g5care-web",  # chat page, /desk/ console, /api
    }
    assert all(ingress["spec"]["tls"] for ingress in (sticky, plain))


def test_each_serving_part_has_a_disruption_budget_and_a_v2_autoscaler(production: list[dict[str, Any]]) -> None:
    for name in ("g5care-rasa", "g5care-actions", "g5care-web"):
        assert find(production, "PodDisruptionBudget", name)["spec"]["minAvailable"] == 1
        hpa = find(production, "HorizontalPodAutoscaler", name)
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert hpa["spec"]["minReplicas"] >= 2


@pytest.mark.parametrize("image, lock", [("server", "server.lock"), ("app", "app.lock")])
def test_the_images_are_multi_stage_from_the_lock_files_and_run_as_a_numeric_non_root_user(
    image: str, lock: str
) -> None:
    dockerfile = (ROOT / "deploy" / "docker" / f"{image}.Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) >= 2
    assert f"COPY requirements/{lock}" in dockerfile
    assert re.search(rf"pip install --no-deps -r /tmp/{re.escape(lock)} && /opt/venv/bin/pip check", dockerfile)
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] == "10001:10001"
