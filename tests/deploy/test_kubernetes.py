"""deploy/k8s: each overlay builds with `kubectl kustomize`, every built-in object validates
against the Kubernetes schemas (kubernetes-validate), the operators' custom resources are
checked by structure, every Deployment follows the policy (probes, limits, non-root,
read-only root file system), the environment a pod gets parses with the services' settings,
and the NetworkPolicies let exactly the listed services talk."""

import copy
from typing import Any

import kubernetes_validate
import pytest
from deploytools import (
    OVERLAYS,
    ROOT,
    SERVICE_IDS,
    SERVICES,
    Service,
    by_kind,
    container_env,
    known_variables,
    pod_containers,
    unresolved_references,
)
from sqlalchemy.engine import make_url

from kohub_platform.settings import ServiceSettings

# The oldest Kubernetes the manifests must be valid for, and the newest schemas we have.
K8S_VERSIONS = ("1.30", kubernetes_validate.latest_version())
# Custom resources of the operators in the prod overlay: no schema in kubernetes-validate.
CUSTOM_KINDS = {
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("postgresql.cnpg.io/v1", "Database"),
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"),
    ("rabbitmq.com/v1beta1", "Vhost"),
    ("rabbitmq.com/v1beta1", "User"),
    ("rabbitmq.com/v1beta1", "Permission"),
}
SHARED_CONFIG = "kohub-config"
PART_OF = {"app.kubernetes.io/part-of": "kohub"}


def deployments(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return by_kind(objects, "Deployment")


def service_of(deployment: dict[str, Any]) -> Service:
    matches = [s for s in SERVICES if s.package == deployment["metadata"]["name"]]
    assert matches, f"Deployment {deployment['metadata']['name']} is not in deploy/services.yaml"
    return matches[0]


def main_container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def shared_config(objects: list[dict[str, Any]]) -> dict[str, str]:
    maps = [o for o in objects if o["kind"] == "ConfigMap"]
    shared = [m for m in maps if m["metadata"]["name"].startswith(f"{SHARED_CONFIG}-")]
    assert len(shared) == 1, "one hashed kohub-config ConfigMap expected"
    return shared[0]["data"]


# ---- build and schemas ----


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_validates(builds, overlay: str, version: str) -> None:
    failures = []
    objects = builds[overlay]
    assert objects, f"{overlay} built nothing"
    for obj in objects:
        if (obj["apiVersion"], obj["kind"]) in CUSTOM_KINDS:
            continue
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            failures.append(f"{where}: {'.'.join(map(str, exc.path))}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            failures.append(f"{where}: {exc.message}")
    assert not failures, "\n".join(failures)


def test_the_validator_rejects_a_broken_deployment(builds) -> None:
    deployment = copy.deepcopy(next(iter(deployments(builds["dev"]).values())))
    kubernetes_validate.validate(deployment, K8S_VERSIONS[0], strict=True)
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSIONS[0], strict=True)
    deployment = copy.deepcopy(next(iter(deployments(builds["dev"]).values())))
    deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "x"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSIONS[0], strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_everything_is_in_one_namespace_that_the_overlay_creates(builds, overlay) -> None:
    namespaces = by_kind(builds[overlay], "Namespace")
    assert len(namespaces) == 1
    (name,) = namespaces
    for obj in builds[overlay]:
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") == name, obj["metadata"]["name"]
    labels = namespaces[name]["metadata"]["labels"]
    assert "pod-security.kubernetes.io/enforce" in labels


def test_custom_resources_only_in_prod(builds) -> None:
    kinds = {(o["apiVersion"], o["kind"]) for o in builds["prod"]}
    assert kinds & CUSTOM_KINDS == CUSTOM_KINDS
    assert not {(o["apiVersion"], o["kind"]) for o in builds["dev"]} & CUSTOM_KINDS


# ---- every Deployment ----


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_listed_service_is_deployed(builds, overlay) -> None:
    assert set(deployments(builds[overlay])) == {s.package for s in SERVICES}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_deployment_policy(builds, overlay) -> None:
    problems = []
    for name, deployment in deployments(builds[overlay]).items():
        service = service_of(deployment)
        pod = deployment["spec"]["template"]["spec"]
        security = pod.get("securityContext", {})
        if security.get("runAsNonRoot") is not True or security.get("runAsUser", 0) == 0:
            problems.append(f"{name}: pod must run as a non-root user")
        if security.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{name}: seccompProfile RuntimeDefault")
        if pod.get("automountServiceAccountToken") is not False:
            problems.append(f"{name}: no service account token")
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        for container in pod_containers(deployment):
            where = f"{name}/{container['name']}"
            sc = container.get("securityContext", {})
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}: readOnlyRootFilesystem")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: allowPrivilegeEscalation false")
            if sc.get("runAsNonRoot", security.get("runAsNonRoot")) is not True:
                problems.append(f"{where}: runAsNonRoot")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                problems.append(f"{where}: drop ALL capabilities")
            resources = container.get("resources", {})
            for kind in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in resources.get(kind, {}):
                        problems.append(f"{where}: {kind}.{resource}")
            tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
            if not tmp or "emptyDir" not in volumes.get(tmp[0]["name"], {}):
                problems.append(f"{where}: /tmp must be an emptyDir (read-only root)")
        main = main_container(deployment)
        ports = {p["name"]: p["containerPort"] for p in main.get("ports", [])}
        if ports.get("http") != service.port:
            problems.append(f"{name}: port http must be {service.port}")
        for probe, path in (("readinessProbe", "/ready"), ("livenessProbe", "/health")):
            get = main.get(probe, {}).get("httpGet", {})
            if get.get("path") != path or get.get("port") not in ("http", service.port):
                problems.append(f"{name}: {probe} must GET {path} on the http port")
        if main.get("args") != ["serve"]:
            problems.append(f"{name}: runs `serve`")
        init = {c["name"]: c for c in pod.get("initContainers", [])}
        if service.database:
            migrate = init.get("migrate")
            if not migrate or migrate.get("args") != ["migrate"]:
                problems.append(f"{name}: needs the `migrate` init container")
            elif migrate["image"] != main["image"]:
                problems.append(f"{name}: migrate must run the service's image")
        elif "migrate" in init:
            problems.append(f"{name}: no database, no migration")
        if "replicas" in deployment["spec"]:
            problems.append(f"{name}: replicas belong to the HorizontalPodAutoscaler")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images(builds, overlay) -> None:
    for deployment in deployments(builds[overlay]).values():
        service = service_of(deployment)
        for container in pod_containers(deployment):
            image = container["image"]
            repository, _, tag = image.rpartition(":")
            assert repository.rsplit("/", 1)[-1] == service.package, image
            if overlay == "prod":
                assert "/" in repository, f"{image}: prod pulls from a registry"
                assert tag and tag != "latest", f"{image}: prod pins a version"
            else:
                assert tag == "dev", image


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscaler_disruption_budget_and_service_per_deployment(builds, overlay) -> None:
    objects = builds[overlay]
    hpas, pdbs = (
        by_kind(objects, "HorizontalPodAutoscaler"),
        by_kind(objects, "PodDisruptionBudget"),
    )
    services = by_kind(objects, "Service")
    for name, deployment in deployments(objects).items():
        service = service_of(deployment)
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= pod_labels.items()
        # every kohub service is stateless: it scales out (see docs/deploy.md)
        hpa = hpas[name]["spec"]
        assert hpa["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert 1 <= hpa["minReplicas"] <= hpa["maxReplicas"]
        if overlay == "prod":
            assert hpa["minReplicas"] >= 2, f"{name}: prod keeps two replicas at least"
        pdb = pdbs[name]["spec"]
        assert pdb["selector"]["matchLabels"] == selector
        # a budget that can never be met blocks node drains
        if "minAvailable" in pdb:
            assert pdb["minAvailable"] < hpa["minReplicas"]
        else:
            assert pdb["maxUnavailable"] >= 1
        svc = services[name]["spec"]
        assert svc["selector"].items() <= pod_labels.items()
        assert [(p["port"], p["targetPort"]) for p in svc["ports"]] == [(service.port, "http")]


# ---- configuration ----


@pytest.fixture
def clean_environ(monkeypatch):
    import os

    for key in list(os.environ):
        if key.startswith("KOHUB_") or key in ("PORT", "HOST"):
            monkeypatch.delenv(key)
    return monkeypatch


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES, ids=SERVICE_IDS)
def test_pod_environment_parses_with_the_service_settings(
    builds, overlay, service: Service, clean_environ
) -> None:
    objects = builds[overlay]
    deployment = deployments(objects)[service.package]
    env, _external = container_env(main_container(deployment), objects)
    assert not unresolved_references(env), unresolved_references(env)
    unknown = {k for k in env if k.startswith("KOHUB_")} - known_variables(service)
    assert not unknown, f"{service.name} reads none of {sorted(unknown)}"
    for key, value in env.items():
        clean_environ.setenv(key, value)
    settings = ServiceSettings.from_env(service.name)

    assert settings.port == service.port
    assert settings.host == "0.0.0.0"  # noqa: S104 - what the container listens on
    assert settings.roles == frozenset({"api", "worker", "relay"})
    assert "127.0.0.1" not in settings.oidc.issuer
    assert settings.oidc.issuer.endswith("/realms/kecp-sso")
    if service.database:
        url = make_url(settings.database_url)
        assert url.drivername == "postgresql+asyncpg"
        assert url.database == service.database
        assert url.host == env["DATABASE_HOST"]
    amqp = make_url(settings.amqp_url)
    assert (amqp.drivername, amqp.host) == ("amqp", env["AMQP_HOST"])
    for other in SERVICES:
        assert settings.url_of(other.name) == f"http://{other.package}:{other.port}"
    for key, value in service.config.items():
        if key == "KOHUB_PUBLIC_URL":  # the overlay's Ingress host (test_console_public_url)
            assert env[key].startswith(("http://", "https://")), env[key]
        else:
            assert env[key] == value
    if service.secret_keys and settings.environment != "development":
        refs = [e for e in main_container(deployment)["env"] if e["name"] == "KOHUB_SECRET_KEYS"]
        assert refs and "secretKeyRef" in refs[0]["valueFrom"], "secret keys from a Secret"
    expected_env = "development" if overlay == "dev" else "production"
    assert settings.environment == expected_env


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migration_uses_the_service_database(builds, overlay) -> None:
    objects = builds[overlay]
    for deployment in deployments(objects).values():
        init = deployment["spec"]["template"]["spec"].get("initContainers", [])
        if not init:
            continue
        main_env, _ = container_env(main_container(deployment), objects)
        migrate_env, _ = container_env(init[0], objects)
        assert migrate_env["KOHUB_DATABASE_URL"] == main_env["KOHUB_DATABASE_URL"]


def expected_external_secrets() -> set[tuple[str, str]]:
    secrets = {("kohub-amqp", "username"), ("kohub-amqp", "password")}
    for s in SERVICES:
        if s.database:
            secrets |= {
                (f"{s.package}-database", "username"),
                (f"{s.package}-database", "password"),
            }
        if s.secret_keys:
            secrets.add((f"{s.package}-secret-keys", "secret-keys"))
    return secrets


def test_prod_references_the_documented_secrets(builds) -> None:
    objects = builds["prod"]
    assert not by_kind(objects, "Secret"), "prod keeps no secret in the repository"
    referenced: set[tuple[str, str]] = set()
    for deployment in deployments(objects).values():
        for container in pod_containers(deployment):
            referenced |= set(container_env(container, objects)[1])
    assert referenced == expected_external_secrets()
    docs = (ROOT / "docs" / "deploy.md").read_text()
    for name in {name for name, _ in referenced}:
        assert f"`{name}" in docs, f"docs/deploy.md must name the Secret {name}"


def test_dev_generates_every_secret_it_references(builds) -> None:
    objects = builds["dev"]
    for deployment in deployments(objects).values():
        for container in pod_containers(deployment):
            assert container_env(container, objects)[1] == [], deployment["metadata"]["name"]


# ---- the operators' resources (prod) ----


def test_postgres_cluster_serves_every_database(builds) -> None:
    objects = builds["prod"]
    (cluster,) = by_kind(objects, "Cluster").values()
    spec = cluster["spec"]
    assert spec["instances"] >= 3 and spec["storage"]["size"]
    assert shared_config(objects)["DATABASE_HOST"] == f"{cluster['metadata']['name']}-rw"
    roles = {r["name"]: r for r in spec["managed"]["roles"]}
    databases = {d["spec"]["name"]: d["spec"] for d in by_kind(objects, "Database").values()}
    for service in (s for s in SERVICES if s.database):
        role = roles[service.database]
        assert role["login"] is True and role.get("ensure", "present") == "present"
        # the same Secret the pods read their password from
        assert role["passwordSecret"]["name"] == f"{service.package}-database"
        database = databases[service.database]
        assert database["owner"] == service.database
        assert database["cluster"]["name"] == cluster["metadata"]["name"]
        assert database.get("ensure", "present") == "present"
    assert set(databases) == {s.database for s in SERVICES if s.database}


def test_postgres_connections_fit_the_autoscalers(builds) -> None:
    objects = builds["prod"]
    (cluster,) = by_kind(objects, "Cluster").values()
    pool = int(shared_config(objects)["KOHUB_DB_POOL_SIZE"])
    concurrency = int(shared_config(objects)["KOHUB_WEB_CONCURRENCY"])
    hpas = by_kind(objects, "HorizontalPodAutoscaler")
    # each process: pool + as many overflow, plus the relay's LISTEN connection
    most = sum(
        hpas[s.package]["spec"]["maxReplicas"] * concurrency * (2 * pool + 1)
        for s in SERVICES
        if s.database
    )
    limit = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])
    assert most + 20 <= limit, f"{most} connections at full scale, max_connections {limit}"


def test_rabbitmq_cluster_vhost_user_and_permission(builds) -> None:
    objects = builds["prod"]
    (cluster,) = by_kind(objects, "RabbitmqCluster").values()
    name = cluster["metadata"]["name"]
    spec = cluster["spec"]
    assert spec["replicas"] >= 3 and spec["replicas"] % 2 == 1, "quorum queues want 3, 5, …"
    assert spec["resources"]["limits"]["memory"]
    config = shared_config(objects)
    assert config["AMQP_HOST"] == name
    (vhost,) = by_kind(objects, "Vhost").values()
    (user,) = by_kind(objects, "User").values()
    (permission,) = by_kind(objects, "Permission").values()
    for obj in (vhost, user, permission):
        assert obj["spec"]["rabbitmqClusterReference"]["name"] == name
    assert vhost["spec"]["name"] == config["AMQP_VHOST"]
    assert user["spec"]["importCredentialsSecret"]["name"] == "kohub-amqp"
    assert permission["spec"]["vhost"] == config["AMQP_VHOST"]
    assert permission["spec"]["userReference"]["name"] == user["metadata"]["name"]
    assert set(permission["spec"]["permissions"]) == {"configure", "write", "read"}


# ---- Ingress ----


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ingress_routes_to_the_owners(builds, overlay) -> None:
    objects = builds[overlay]
    (ingress,) = by_kind(objects, "Ingress").values()
    services = by_kind(objects, "Service")
    routes = {}
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] in services
            port_names = {p["name"] for p in services[backend["name"]]["spec"]["ports"]}
            assert backend["port"]["name"] in port_names
            routes[path["path"]] = backend["name"]
    expected = {path: s.package for s in SERVICES for path in s.ingress}
    assert routes == expected
    # the gateway is the front door: the console and the whole API …
    assert routes["/"] == routes["/api/v1"] == "kohub-gateway"
    # … except the webhooks monitoring tools post straight to the adapter gateway
    assert routes["/api/v1/webhooks"] == "kohub-adapter"
    assert set(routes) == {"/", "/api/v1", "/api/v1/webhooks"}, "no service bypasses the gateway"
    # nginx picks the longest matching prefix: the webhooks win over /api/v1 and /
    assert all(
        p["pathType"] == "Prefix" for r in ingress["spec"]["rules"] for p in r["http"]["paths"]
    )
    assert not any(p.startswith("/api/internal") for p in routes)
    if overlay == "prod":
        hosts = {h for tls in ingress["spec"]["tls"] for h in tls["hosts"]}
        assert {r["host"] for r in ingress["spec"]["rules"]} <= hosts


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_console_public_url_is_the_ingress_host(builds, overlay) -> None:
    """KOHUB_PUBLIC_URL (the login's redirect URI is <it>/auth/callback) is where the Ingress
    serves the gateway: https when the overlay terminates TLS for that host."""
    objects = builds[overlay]
    (ingress,) = by_kind(objects, "Ingress").values()
    (rule,) = ingress["spec"]["rules"]
    tls_hosts = {h for tls in ingress["spec"].get("tls", []) for h in tls["hosts"]}
    scheme = "https" if rule["host"] in tls_hosts else "http"
    gateway = deployments(objects)["kohub-gateway"]
    env, _ = container_env(main_container(gateway), objects)
    assert env["KOHUB_PUBLIC_URL"] == f"{scheme}://{rule['host']}"
    if overlay == "prod":
        assert scheme == "https"


# ---- NetworkPolicies ----


def _matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    return selector.get("matchLabels", {}).items() <= labels.items() and not selector.get(
        "matchExpressions"
    )


def _peer_allows(peer: dict[str, Any], labels: dict[str, str], namespace: str | None) -> bool:
    """A NetworkPolicy peer against a pod in the same namespace (namespace None) or in
    another namespace with that name."""
    if "ipBlock" in peer:
        return False
    if "namespaceSelector" in peer:
        if namespace is None:
            return False
        ns_labels = {"kubernetes.io/metadata.name": namespace}
        if not _matches(peer["namespaceSelector"], ns_labels):
            return False
        return _matches(peer.get("podSelector", {}), labels)
    return namespace is None and _matches(peer["podSelector"], labels)


def _rules_allow(rules, key, labels, namespace, port) -> bool:
    for rule in rules:
        ports = rule.get("ports")
        if ports and not any(
            p.get("port") == port and p.get("protocol", "TCP") == "TCP" for p in ports
        ):
            continue
        peers = rule.get(key)
        if not peers or any(_peer_allows(p, labels, namespace) for p in peers):
            return True
    return False


def allowed(
    policies: list[dict[str, Any]],
    source: dict[str, str] | None,
    target: dict[str, str] | None,
    port: int,
    *,
    source_namespace: str | None = None,
    target_namespace: str | None = None,
) -> bool:
    """May a TCP connection go from `source` pod labels to `target` pod labels on `port`?
    None: a pod no kohub policy selects (outside the namespace, or not kohub's)."""
    if source is not None:
        selecting = [
            p["spec"]
            for p in policies
            if "Egress" in p["spec"]["policyTypes"] and _matches(p["spec"]["podSelector"], source)
        ]
        if selecting and not any(
            _rules_allow(s.get("egress", []), "to", target or {}, target_namespace, port)
            for s in selecting
        ):
            return False
    if target is not None:
        selecting = [
            p["spec"]
            for p in policies
            if "Ingress" in p["spec"]["policyTypes"] and _matches(p["spec"]["podSelector"], target)
        ]
        if selecting and not any(
            _rules_allow(s.get("ingress", []), "from", source or {}, source_namespace, port)
            for s in selecting
        ):
            return False
    return True


def pod_labels(objects, service: Service) -> dict[str, str]:
    return deployments(objects)[service.package]["spec"]["template"]["metadata"]["labels"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_listed_services_talk_to_each_other(builds, overlay) -> None:
    objects = builds[overlay]
    policies = list(by_kind(objects, "NetworkPolicy").values())
    deny = [p for p in policies if not p["spec"].get("ingress") and not p["spec"].get("egress")]
    assert deny and set(deny[0]["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    for source in SERVICES:
        for target in SERVICES:
            if source is target:
                continue
            may = allowed(
                policies, pod_labels(objects, source), pod_labels(objects, target), target.port
            )
            assert may == (target.name in source.calls), f"{source.name} -> {target.name}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_reach_their_infrastructure_and_are_reachable(builds, overlay) -> None:
    objects = builds[overlay]
    policies = list(by_kind(objects, "NetworkPolicy").values())
    postgres = {"cnpg.io/cluster": "kohub-pg"} if overlay == "prod" else None
    rabbitmq = {"app.kubernetes.io/name": "kohub-rabbitmq"} if overlay == "prod" else None
    for service in SERVICES:
        labels = pod_labels(objects, service)
        assert allowed(policies, labels, None, 53, target_namespace="kube-system")
        assert allowed(policies, labels, rabbitmq, 5672)
        assert allowed(policies, labels, postgres, 5432) == bool(service.database)
        assert allowed(policies, labels, None, 443, target_namespace="sso")  # JWKS
        # Prometheus scrapes every service; only services with routes get the Ingress
        assert allowed(policies, None, labels, service.port, source_namespace="monitoring")
        assert allowed(
            policies, None, labels, service.port, source_namespace="ingress-nginx"
        ) == bool(service.ingress)
        assert not allowed(policies, None, labels, service.port, source_namespace="elsewhere")
        assert not allowed(policies, labels, None, 22, target_namespace="elsewhere")
    if overlay == "prod":
        # narrowed to the operators' pods
        ticket = pod_labels(objects, SERVICES[0])
        assert not allowed(policies, ticket, {"app": "other"}, 5432)
        assert not allowed(policies, ticket, {"app": "other"}, 5672)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_policies_do_not_select_the_operators_pods(builds, overlay) -> None:
    operator_pods = [{"cnpg.io/cluster": "kohub-pg"}, {"app.kubernetes.io/name": "kohub-rabbitmq"}]
    for policy in by_kind(builds[overlay], "NetworkPolicy").values():
        for labels in operator_pods:
            assert not _matches(policy["spec"]["podSelector"], labels), policy["metadata"]["name"]
    for deployment in deployments(builds[overlay]).values():
        assert PART_OF.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
