"""Checks of the Kubernetes deployment: every overlay rendered, every object validated, policies applied.

Run through scripts/check_deploy.sh (its own venv: kubernetes-validate, checkov). For each
directory under deploy/overlays/: `kubectl kustomize`, then each object against the Kubernetes
OpenAPI schemas of the chosen versions (strict: an unknown field is an error), then checkov's
Kubernetes checks on the rendered output; checkov's Dockerfile checks on deploy/docker/.
Checks listed in deploy/policy-exceptions.yaml are skipped and printed with their reasons.
Exit status 0 only if everything passes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parent.parent
# The oldest Kubernetes release still maintained upstream when this was written, and the newest the package knows.
VERSIONS = ("1.31.0", "1.37.0")


def render(overlay: Path) -> list[dict]:
    out = subprocess.run(["kubectl", "kustomize", str(overlay)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"kubectl kustomize {overlay} failed:\n{out.stderr}")
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


def schema_errors(objects: list[dict], version: str) -> list[str]:
    errors = []
    for obj in objects:
        name = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = "/".join(str(p) for p in error.path)
            errors.append(f"{name}: {error.message} (at {path or 'top level'}, Kubernetes {version})")
        except kubernetes_validate.SchemaNotFoundError as error:
            errors.append(f"{name}: no schema for {error} (Kubernetes {version})")
    return errors


def checkov(files: list[Path], framework: str, skip: list[str]) -> tuple[int, list[str]]:
    """(passed count, failures as 'CHECK resource: title') from checkov's JSON report."""
    command = [str(Path(sys.executable).with_name("checkov")), "--skip-download", "-o", "json"]
    command += ["--framework", framework]
    for file in files:
        command += ["-f", str(file)]
    if skip:
        command += ["--skip-check", ",".join(skip)]
    out = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    try:
        reports = json.loads(out.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"checkov gave no report:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}") from None
    reports = reports if isinstance(reports, list) else [reports]
    passed, failures = 0, []
    for report in reports:
        results = report.get("results", {})
        passed += len(results.get("passed_checks", []))
        for check in results.get("failed_checks", []):
            failures.append(f"{check['check_id']} {check['resource']}: {check['check_name']}")
    return passed, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deploy-dir", type=Path, default=ROOT / "deploy")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "deploy-check", help="rendered overlays go here")
    args = parser.parse_args(argv)

    exceptions: dict[str, str] = yaml.safe_load((args.deploy_dir / "policy-exceptions.yaml").read_text()) or {}
    overlays = sorted(p for p in (args.deploy_dir / "overlays").iterdir() if (p / "kustomization.yaml").exists())
    if not overlays:
        raise SystemExit(f"no overlay under {args.deploy_dir / 'overlays'}")
    args.out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    rendered: list[Path] = []
    for overlay in overlays:
        objects = render(overlay)
        target = args.out / f"{overlay.name}.yaml"
        target.write_text(yaml.safe_dump_all(objects, sort_keys=False))
        rendered.append(target)
        for version in VERSIONS:
            errors = schema_errors(objects, version)
            problems += [f"schema: {overlay.name}: {error}" for error in errors]
        kinds = sorted({str(obj["kind"]) for obj in objects})
        print(
            f"{overlay.name}: {len(objects)} objects ({', '.join(kinds)}), "
            f"schemas of Kubernetes {' and '.join(VERSIONS)}"
        )

    passed, failures = checkov(rendered, "kubernetes", list(exceptions))
    problems += [f"policy: {failure}" for failure in failures]
    print(f"checkov kubernetes: {passed} passed, {len(failures)} failed")
    dockerfiles = sorted((args.deploy_dir / "docker").glob("*.Dockerfile"))
    passed, failures = checkov(dockerfiles, "dockerfile", list(exceptions))
    problems += [f"policy: {failure}" for failure in failures]
    print(f"checkov dockerfile ({len(dockerfiles)} files): {passed} passed, {len(failures)} failed")
    for check, reason in exceptions.items():
        print(f"exception {check}: {' '.join(str(reason).split())}")
    for problem in problems:
        print(problem)
    print(f"deploy check: {'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
