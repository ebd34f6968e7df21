use std::collections::BTreeMap;
use std::sync::Arc;

use super::*;

/// Files in memory, as the scan's tree gives them.
struct Mem(BTreeMap<String, Arc<str>>);

impl Files for Mem {
    fn list(&self, dir: &str) -> Vec<String> {
        let prefix = format!("{dir}/");
        self.0
            .keys()
            .filter(|k| k.starts_with(&prefix))
            .cloned()
            .collect()
    }
    fn read(&self, rel: &str) -> Result<Arc<str>, String> {
        self.0
            .get(rel)
            .cloned()
            .ok_or_else(|| format!("{rel}: not found"))
    }
}

fn mem(files: &[(&str, &str)]) -> Mem {
    Mem(files
        .iter()
        .map(|(p, t)| (p.to_string(), Arc::from(*t)))
        .collect())
}

/// The fixture overlay tree under tests/fixtures/kustomize.
fn fixture() -> Mem {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kustomize");
    let mut files = BTreeMap::new();
    for e in walkdir::WalkDir::new(&root) {
        let e = e.expect("walk");
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(&root)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(
                rel,
                Arc::from(std::fs::read_to_string(e.path()).expect("read")),
            );
        }
    }
    Mem(files)
}

fn text(b: &Built) -> String {
    b.output
        .documents
        .first()
        .map(|d| d.text.to_string())
        .unwrap_or_default()
}

fn built(files: &[(&str, &str)]) -> Built {
    build("kustomization.yaml", &mem(files), &Limits::default())
}

/// The source (path, line, column) of the last word of the first rendered
/// occurrence of `needle`.
fn origin(b: &Built, needle: &str) -> Option<(String, usize, usize)> {
    let doc = b.output.documents.first()?;
    let at = doc.text.find(needle)? + needle.rfind(' ').map_or(0, |i| i + 1);
    let (src, off, _) = doc.source_of(at)?;
    let s = &b.output.sources[src];
    let (line, col) = crate::document::LineIndex::new(&s.text).line_col(&s.text, off);
    Some((s.path.clone(), line, col))
}

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: nginx:1.25\n          ports:\n            - containerPort: 80\n        - name: b\n          image: busybox\n";

#[test]
fn the_fixture_overlay_builds_every_patch_style() {
    let b = build(
        "overlays/prod/kustomization.yaml",
        &fixture(),
        &Limits::default(),
    );
    assert_eq!(b.output.failures, vec![]);
    let t = text(&b);
    for want in [
        "  name: \"prod-web\"\n",
        "privileged: true",
        "image: \"nginx:latest\"",
        "hostPID: true",
        "\"hostNetwork\": true",
        "  replicas: 3\n",
        "  type: LoadBalancer\n",
        "password: \"aHVudGVyMg==\"",
    ] {
        assert!(t.contains(want), "{want} in\n{t}");
    }
    assert_eq!(
        b.includes,
        vec!["base".to_string(), "components/debug".to_string()]
    );
    assert_eq!(
        b.reads.get("overlays/prod/privileged.yaml"),
        Some(&Role::Patch)
    );
    assert_eq!(b.reads.get("base/deployment.yaml"), Some(&Role::Resource));
    assert_eq!(
        origin(&b, "privileged: true").map(|o| (o.0, o.1)),
        Some(("overlays/prod/privileged.yaml".into(), 11))
    );
}

#[test]
fn strategic_merge_merges_containers_by_name_and_deletes_with_directives() {
    let b = built(&[
        ("kustomization.yaml", "resources: [d.yaml]\npatchesStrategicMerge:\n  - p.yaml\n"),
        ("d.yaml", DEPLOY),
        (
            "p.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: b\n          $patch: delete\n        - name: a\n          image: nginx:1.26\n          ports: null\n        - name: c\n          image: redis:7\n",
        ),
    ]);
    assert_eq!(b.output.failures, vec![]);
    let t = text(&b);
    assert!(
        t.contains(
            "- name: a\n          image: nginx:1.26\n        - name: c\n          image: redis:7\n"
        ),
        "{t}"
    );
    assert!(!t.contains("busybox") && !t.contains("ports"), "{t}");
    assert_eq!(origin(&b, "nginx:1.26"), Some(("p.yaml".into(), 12, 18)));
    assert_eq!(
        origin(&b, "name: a").map(|o| (o.0, o.1)),
        Some(("d.yaml".into(), 9))
    );
}

#[test]
fn json6902_operations_apply_in_order() {
    let b = built(&[
        (
            "kustomization.yaml",
            "resources: [d.yaml]\npatches:\n  - target: {kind: Deploy.*, name: web}\n    patch: |-\n      - op: add\n        path: /spec/template/spec/containers/-\n        value: {name: z, image: z:1}\n      - op: remove\n        path: /spec/template/spec/containers/1\n      - op: copy\n        from: /spec/template/spec/containers/0/image\n        path: /metadata/annotations~1x\n      - op: move\n        from: /metadata/annotations~1x\n        path: /metadata/moved\n",
        ),
        ("d.yaml", DEPLOY),
    ]);
    assert_eq!(b.output.failures, vec![]);
    let t = text(&b);
    assert!(t.contains("  \"moved\": nginx:1.25\n"), "{t}");
    assert!(!t.contains("busybox"), "{t}");
    assert!(t.contains("- name: z\n          image: z:1\n"), "{t}");
    // the inline patch's value, at its line in the kustomization
    assert_eq!(
        origin(&b, "z:1"),
        Some(("kustomization.yaml".into(), 7, 33))
    );
}

#[test]
fn a_patch_that_matches_nothing_or_fails_is_said() {
    let b = built(&[
        (
            "kustomization.yaml",
            "resources: [d.yaml]\npatches:\n  - target: {kind: Service}\n    patch: '[{\"op\": \"remove\", \"path\": \"/x\"}]'\n  - target: {kind: Deployment}\n    patch: '[{\"op\": \"replace\", \"path\": \"/spec/nope\", \"value\": 1}]'\n",
        ),
        ("d.yaml", DEPLOY),
    ]);
    assert_eq!(
        b.output
            .failures
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>(),
        vec![
            "the patch's target matches no resource of the build; not applied",
            "a JSON 6902 operation on Deployment `web`: `/spec/nope` not found; not applied",
        ]
    );
    assert_eq!(b.output.documents.len(), 1);
}

#[test]
fn images_labels_namespace_and_generators() {
    let b = built(&[
        (
            "kustomization.yaml",
            "namespace: team\nnameSuffix: -v2\nlabels:\n  - pairs: {tier: web}\n    includeSelectors: false\nresources: [d.yaml, ns.yaml]\nimages:\n  - name: busybox\n    newName: registry.local/busybox\n    digest: sha256:abc\nconfigMapGenerator:\n  - name: conf\n    envs: [app.env]\n    files: [cfg=conf/app.ini]\n",
        ),
        ("d.yaml", DEPLOY),
        ("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n"),
        ("app.env", "# comment\nLOG=debug\n"),
        ("conf/app.ini", "[x]\ny=1\n"),
    ]);
    assert_eq!(b.output.failures, vec![]);
    let t = text(&b);
    assert!(
        t.contains("image: \"registry.local/busybox@sha256:abc\""),
        "{t}"
    );
    assert!(
        t.contains("name: \"web-v2\"\n  \"namespace\": team\n  \"labels\":\n    tier: web\n"),
        "{t}"
    );
    // a Namespace has none; templates only get labels when asked
    assert!(
        t.contains("kind: Namespace\nmetadata:\n  name: \"team-v2\"\n  \"labels\""),
        "{t}"
    );
    assert_eq!(t.matches("tier: web").count(), 3, "{t}");
    assert!(
        t.contains("LOG: debug\n") && t.contains("\"cfg\": \"[x]\\ny=1\\n\""),
        "{t}"
    );
    assert_eq!(
        origin(&b, "\"registry.local"),
        Some(("kustomization.yaml".into(), 10, 13))
    );
    assert_eq!(
        origin(&b, "LOG: debug").map(|o| (o.0, o.1)),
        Some(("app.env".into(), 2))
    );
    assert_eq!(b.reads.get("conf/app.ini"), Some(&Role::GeneratorInput));
}

#[test]
fn lists_are_their_items_and_loops_are_stopped() {
    let b = built(&[
        ("kustomization.yaml", "resources: [l.yaml, sub]\n"),
        ("l.yaml", "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: one}\n"),
        ("sub/kustomization.yaml", "resources: [..]\n"),
    ]);
    assert_eq!(b.output.documents.len(), 0);
    assert_eq!(
        b.output
            .failures
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>(),
        vec!["kustomization.yaml: kustomizations include each other in a loop"]
    );
    let b = built(&[
        ("kustomization.yaml", "resources: [l.yaml]\n"),
        ("l.yaml", "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: one}\n"),
    ]);
    assert_eq!(
        text(&b),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n"
    );
}
