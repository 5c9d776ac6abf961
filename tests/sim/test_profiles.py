"""Credentials as the AWS CLI resolves them, against the simulator's STS and SSO portal: for each
kind of profile, `lifeline doctor` reports the identity STS GetCallerIdentity gives, and a
`lifeline reconcile` signs its calls as that identity (the simulator counts calls per identity).
"""

import hashlib
import http.server
import json
import os
import stat
import subprocess
import threading
from datetime import UTC, datetime, timedelta

import pytest
from conftest import BINARY, KEY, SECRET, Sim
from lifeline_proc import events, queue_url, write_config

ACCOUNT = "123456789012"
USER = f"arn:aws:iam::{ACCOUNT}:user/lifeline-sim"


def role(name):
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def session(name, session_name):
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session_name}"


CONFIG = f"""
[profile base]
aws_access_key_id = {KEY}
aws_secret_access_key = {SECRET}

[profile jump]
role_arn = {role("lifeline-jump")}
source_profile = base
role_session_name = jump-session

[profile chained]
role_arn = {role("lifeline-deploy")}
source_profile = jump
role_session_name = deploy-session
external_id = shop-7f3a
duration_seconds = 1800

[profile from-env]
role_arn = {role("lifeline-ci")}
credential_source = Environment
role_session_name = ci-session

[profile sso]
sso_session = corp
sso_account_id = {ACCOUNT}
sso_role_name = LifelineOps

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[profile sso-legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = {ACCOUNT}
sso_role_name = LifelineLegacy

[profile sso-logged-out]
sso_session = other
sso_account_id = {ACCOUNT}
sso_role_name = LifelineOps

[sso-session other]
sso_start_url = https://other.awsapps.com/start
sso_region = us-east-1

[profile from-instance]
role_arn = {role("lifeline-ec2")}
credential_source = Ec2InstanceMetadata
role_session_name = ec2-session

[profile from-container]
role_arn = {role("lifeline-ecs")}
credential_source = EcsContainer
role_session_name = ecs-session

[profile process]
credential_process = {{process}}

[profile web]
role_arn = {role("lifeline-web")}
web_identity_token_file = {{token}}
role_session_name = web-session
"""

# profile → the identity GetCallerIdentity must report.
EXPECTED = {
    "base": USER,
    "chained": session("lifeline-deploy", "deploy-session"),
    "from-env": session("lifeline-ci", "ci-session"),
    "from-instance": session("lifeline-ec2", "ec2-session"),
    "from-container": session("lifeline-ecs", "ecs-session"),
    "sso": session("AWSReservedSSO_LifelineOps", "sso-user"),
    "sso-legacy": session("AWSReservedSSO_LifelineLegacy", "sso-user"),
    "process": USER,
    "web": session("lifeline-web", "web-session"),
}


class Metadata(http.server.BaseHTTPRequestHandler):
    """EC2's IMDSv2 and the ECS container endpoint on loopback, both handing out the simulator's keys."""

    KEYS = {"AccessKeyId": KEY, "SecretAccessKey": SECRET, "Token": "", "Expiration": "2099-01-01T00:00:00Z"}

    def do_PUT(self):  # IMDSv2 session token
        self.answer(200, "imds-session-token" if self.path == "/latest/api/token" else "")

    def do_GET(self):
        if self.path == "/ecs/credentials":
            return self.answer(200, json.dumps(self.KEYS))
        if self.headers.get("X-aws-ec2-metadata-token") != "imds-session-token":
            return self.answer(401, "")
        if self.path == "/latest/meta-data/iam/security-credentials/":
            return self.answer(200, "instance-role")
        if self.path == "/latest/meta-data/iam/security-credentials/instance-role":
            return self.answer(200, json.dumps({"Code": "Success", **self.KEYS}))
        self.answer(404, "")

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def metadata():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Metadata)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    """One simulator (a scale-out in progress) and a HOME whose ~/.aws holds every profile kind."""
    sim = Sim("clean-scale-out.json")
    home = tmp_path_factory.mktemp("home")
    aws = home / ".aws"
    (aws / "sso" / "cache").mkdir(parents=True)
    process = home / "creds.sh"
    process.write_text(
        f"#!/bin/sh\necho '{json.dumps({'Version': 1, 'AccessKeyId': KEY, 'SecretAccessKey': SECRET})}'\n"
    )
    process.chmod(stat.S_IRWXU)
    token = home / "web-identity-token"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.web-identity.token\n")
    (aws / "config").write_text(CONFIG.format(process=process, token=token))
    expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # What `aws sso login` caches: one file per session name (or legacy start URL), named by its SHA-1.
    for key, access in (("corp", "sso-token-corp"), ("https://legacy.awsapps.com/start", "sso-token-legacy")):
        cache = aws / "sso" / "cache" / (hashlib.sha1(key.encode()).hexdigest() + ".json")
        cache.write_text(
            json.dumps({"startUrl": key, "region": "us-east-1", "accessToken": access, "expiresAt": expires})
        )
        status, body = sim.control("sso-token", {"token": access})
        assert status == 200, body
    config = write_config(home / "lifeline.yaml", queue_url(sim))
    yield sim, home, config
    sim.stop()


def lifeline(account, profile, *args, extra_env=None):
    sim, home, _ = account
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": sim.url,
        "AWS_EC2_METADATA_DISABLED": "true",
        "LIFELINE_ALLOW_SHORT_HOOKS": "1",
        **(extra_env or {}),
    }
    return subprocess.run([BINARY, *args, "--profile", profile], env=env, capture_output=True, text=True, timeout=60)


def doctor_identity(account, profile, extra_env=None):
    out = lifeline(account, profile, "doctor", "--format", "json", extra_env=extra_env)
    checks = {c["name"]: c for c in json.loads(out.stdout)["checks"]}
    return checks, out


def env_for(profile, metadata):
    """What each credential_source reads: the environment's keys, IMDS, the container endpoint."""
    return {
        "from-env": {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET},
        "from-instance": {"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": metadata},
        "from-container": {"AWS_CONTAINER_CREDENTIALS_FULL_URI": metadata + "/ecs/credentials"},
    }.get(profile)


@pytest.mark.parametrize("profile", sorted(EXPECTED))
def test_doctor_reports_the_identity_each_profile_kind_resolves_to(account, metadata, profile):
    checks, out = doctor_identity(account, profile, env_for(profile, metadata))
    assert checks["credentials"]["ok"], checks["credentials"]
    assert checks["identity"] == {
        "name": "identity",
        "ok": True,
        "detail": f"{EXPECTED[profile]} (account {ACCOUNT})",
    }, out.stdout
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("profile", sorted(EXPECTED))
def test_reconcile_signs_its_calls_as_that_identity(account, metadata, profile, tmp_path):
    sim, _, config = account
    before = sim.control("callers")[1].get(EXPECTED[profile], 0)
    out = lifeline(
        account,
        profile,
        "reconcile",
        "--config",
        config,
        "--db",
        str(tmp_path / "l.db"),
        extra_env=env_for(profile, metadata),
    )
    assert out.returncode in (0, 2), out.stderr  # 2: actions still open, as a scale-out leaves them
    after = sim.control("callers")[1].get(EXPECTED[profile], 0)
    assert after - before >= 4, "a pass reads Auto Scaling, CodeDeploy, EC2 and SQS as the profile's identity"


def test_a_role_chain_assumes_each_role_with_the_one_before_and_passes_its_options(account):
    sim, _, _ = account
    mark = len(events(sim, "sts"))
    checks, _ = doctor_identity(account, "chained")
    assert checks["identity"]["ok"]
    calls = [e for e in events(sim, "sts")[mark:] if e["operation"] == "AssumeRole"]
    assert [(c["role"], c["caller"]) for c in calls] == [
        (role("lifeline-jump"), USER),
        (role("lifeline-deploy"), session("lifeline-jump", "jump-session")),
    ]
    assert calls[1]["externalId"] == "shop-7f3a" and calls[1]["duration"] == "1800"


def test_an_sso_profile_without_a_login_says_to_log_in(account):
    checks, out = doctor_identity(account, "sso-logged-out")
    assert not checks["credentials"]["ok"]
    assert "run aws sso login --profile sso-logged-out" in checks["credentials"]["detail"]
    assert out.returncode != 0


def test_an_sso_token_the_portal_no_longer_takes_says_to_log_in_again(account, tmp_path):
    sim, home, _ = account
    # A cache that looks fresh but holds a token the portal does not know (revoked, or another
    # machine's): the portal answers 401.
    cache = home / ".aws" / "sso" / "cache" / (hashlib.sha1(b"other").hexdigest() + ".json")
    expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    cache.write_text(json.dumps({"accessToken": "revoked", "expiresAt": expires}))
    try:
        checks, _ = doctor_identity(account, "sso-logged-out")
    finally:
        cache.unlink()
    assert (
        "refused the cached token (HTTP 401): run aws sso login --profile sso-logged-out"
        in (checks["credentials"]["detail"])
    )
