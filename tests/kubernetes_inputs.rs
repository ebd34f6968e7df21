//! Kubernetes inputs besides one YAML manifest per document (issue 18 item
//! 7): manifests written as JSON, lists (`kind: List` and typed lists such as
//! `DeploymentList`), and custom resources that share a built-in kind's name
//! in another API group, which the built-in rules leave alone.
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

/// (rule, path, line, column, resource) of a finding.
type Place = (String, String, u64, u64, String);

/// Each finding of `check DIR --select SELECT`, and the JSON report.
fn findings(dir: &Path, select: &str) -> (Vec<Place>, Value) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .env("SOCLINT_TODAY", "2026-11-25")
        .arg("check")
        .arg(dir)
        .args(["--format", "json", "--select", select])
        .output()
        .expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let list = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
                f["start_line"].as_u64().unwrap_or(0),
                f["start_column"].as_u64().unwrap_or(0),
                f["resource"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (list, json)
}

const POD_JSON: &str = r#"{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "web", "namespace": "shop"},
  "spec": {
    "containers": [
      {
        "name": "web",
        "image": "nginx:1.25",
        "securityContext": {"privileged": true}
      }
    ]
  }
}
"#;

/// A JSON manifest is read as one (it was skipped in silence), and a JSON
/// file that is not one (a package manifest, a schema describing
/// `apiVersion`) is not a Kubernetes file.
#[test]
fn json_manifests_are_checked_at_their_own_lines() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        &[
            ("k8s/pod.json", POD_JSON),
            (
                "k8s/schema.json",
                r#"{"properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"}}}"#,
            ),
        ],
    );
    let (found, json) = findings(tmp.path(), "K8S-CTR-001");
    assert_eq!(
        found,
        vec![(
            "K8S-CTR-001".into(),
            "k8s/pod.json".into(),
            10,
            43,
            "Pod/shop/web/web".into()
        )]
    );
    assert_eq!(json["summary"]["files_scanned"], 1, "{}", json["summary"]);
}

/// Each item of a list is a resource: a `kind: List` item says its kind, a
/// typed list's items are of the list's kind.
#[test]
fn list_items_are_resources() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        &[
            (
                "list.yaml",
                "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: front\n  spec:\n    type: LoadBalancer\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: api\n  spec:\n    template:\n      spec:\n        containers:\n        - name: api\n          image: api:1\n          securityContext:\n            privileged: true\n",
            ),
            (
                "typed.yaml",
                "apiVersion: apps/v1\nkind: DeploymentList\nitems:\n- metadata:\n    name: worker\n  spec:\n    template:\n      spec:\n        containers:\n        - name: worker\n          image: worker:1\n          securityContext:\n            privileged: true\n",
            ),
        ],
    );
    let (found, _) = findings(tmp.path(), "K8S-CTR-001,K8S-NET-001");
    assert_eq!(
        found,
        vec![
            (
                "K8S-NET-001".into(),
                "list.yaml".into(),
                9,
                11,
                "Service/front".into()
            ),
            (
                "K8S-CTR-001".into(),
                "list.yaml".into(),
                21,
                25,
                "Deployment/api/api".into()
            ),
            (
                "K8S-CTR-001".into(),
                "typed.yaml".into(),
                13,
                25,
                "Deployment/worker/worker".into()
            ),
        ]
    );
}

/// Custom resources of common operators: a Knative `Service` (its own
/// group, a pod template inside) and an Argo CD `Application` are not
/// checked by the rules for Services and pods; a CRD is not either.
#[test]
fn custom_resources_of_operators_make_no_noise() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        &[
            (
                "knative.yaml",
                "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: hello\n  namespace: default\nspec:\n  type: LoadBalancer\n  template:\n    spec:\n      containers:\n      - image: ghcr.io/acme/hello\n        securityContext:\n          privileged: true\n",
            ),
            (
                "argocd.yaml",
                "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: https://example.com/shop.git\n    path: deploy\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: shop\n",
            ),
            (
                "crd.yaml",
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.acme.io\nspec:\n  group: acme.io\n  names:\n    kind: Widget\n    plural: widgets\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              containers:\n                type: array\n                items:\n                  type: object\n",
            ),
            // the built-in Service beside them is still checked
            (
                "service.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: front\nspec:\n  type: LoadBalancer\n",
            ),
        ],
    );
    let (found, json) = findings(tmp.path(), "K8S");
    assert_eq!(
        found,
        vec![(
            "K8S-NET-001".into(),
            "service.yaml".into(),
            6,
            9,
            "Service/front".into()
        )]
    );
    assert_eq!(json["errors"], serde_json::json!([]));
    assert_eq!(json["skipped"], serde_json::json!([]));
    assert_eq!(json["summary"]["files_scanned"], 4, "{}", json["summary"]);
}
