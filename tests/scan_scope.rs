//! Relations with `scope = "scan"`: the other resource may be in any file of
//! the scan (another directory, so another chunk), and the verdict, the
//! finding's place and the counts are those of one evaluation that could see
//! every file, whatever the thread count.
use soclint::rules::{load_file, RuleSet};
use soclint::scan::{scan, ScanOptions};

fn rules(assert: &str) -> RuleSet {
    let rule = format!(
        "[[rule]]\nid = \"T-001\"\ntitle = \"t\"\nseverity = \"low\"\ncriteria = [\"CC6.1\"]\n\
         target = \"kubernetes\"\nresources = [\"Widget\"]\nmessage = \"m\"\nrationale = \"r\"\n\
         remediation = \"x\"\nassert = {assert}\n"
    );
    RuleSet::new(load_file("t.toml", &rule).unwrap_or_else(|e| panic!("{assert}: {e:?}")))
        .expect("set")
}

/// Scans `files` (path, text) with `threads`: the rule's (passed, failed,
/// skipped) and each finding's path:line:column.
fn run(
    assert: &str,
    files: &[(&str, &str)],
    threads: usize,
) -> ((usize, usize, usize), Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    let opts = ScanOptions {
        threads,
        ..ScanOptions::for_directory(dir.path(), 0)
    };
    let result = scan(&opts, &rules(assert));
    let s = result.stats["T-001"];
    let found = result
        .findings
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{}",
                f.path, f.location.start_line, f.location.start_column
            )
        })
        .collect();
    ((s.passed, s.failed, s.skipped), found)
}

const PASS: (usize, usize, usize) = (1, 0, 0);
const FAIL: (usize, usize, usize) = (0, 1, 0);
const SKIP: (usize, usize, usize) = (0, 0, 1);

const WIDGET: &str = "\
apiVersion: v1
kind: Widget
metadata:
  name: alpha
  namespace: shop
  labels: {app: web, tier: front}
spec:
  account: keeper
";

fn gadget(name: &str, namespace: Option<&str>, extra: &str) -> String {
    let ns = namespace
        .map(|n| format!("  namespace: {n}\n"))
        .unwrap_or_default();
    format!("apiVersion: v1\nkind: Gadget\nmetadata:\n  name: {name}\n{ns}spec:\n{extra}")
}

const REFERENCES: &str = r#"{ references = { type = "Gadget", via = "spec.account", scope = "scan", where = { path = "spec.safe", is_true = true } } }"#;

#[test]
fn references_find_the_other_resource_in_another_directory() {
    let safe = gadget("keeper", None, "  safe: true\n");
    let unsafe_ = gadget("keeper", Some("shop"), "  safe: false\n");
    let elsewhere = gadget("keeper", Some("other"), "  safe: false\n");
    let unknown = gadget("keeper", None, "  safe: !Ref Param\n");
    let widget = ("app/widget.yaml", WIDGET);
    assert_eq!(
        run(REFERENCES, &[widget, ("z/gadget.yaml", &safe)], 1),
        (PASS, vec![])
    );
    // the finding points at the reference, in the subject's file
    assert_eq!(
        run(REFERENCES, &[widget, ("z/gadget.yaml", &unsafe_)], 1),
        (FAIL, vec!["app/widget.yaml:8:12".to_string()])
    );
    // a namesake in another namespace is not it, and what the scan does not hold is not guessed at
    assert_eq!(
        run(REFERENCES, &[widget, ("z/gadget.yaml", &elsewhere)], 1),
        (SKIP, vec![])
    );
    assert_eq!(run(REFERENCES, &[widget], 1), (SKIP, vec![]));
    assert_eq!(
        run(REFERENCES, &[widget, ("z/gadget.yaml", &unknown)], 1),
        (SKIP, vec![])
    );
    // one passing namesake is enough
    assert_eq!(
        run(
            REFERENCES,
            &[widget, ("y/a.yaml", &unsafe_), ("z/b.yaml", &safe)],
            1
        ),
        (PASS, vec![])
    );
}

#[test]
fn referenced_by_with_a_key_joins_on_the_subjects_value() {
    let cond = r#"{ referenced_by = { type = "Gadget", via = "spec.users", key = "spec.account", scope = "scan" } }"#;
    let naming = gadget("g", None, "  users: [someone, keeper]\n");
    let other = gadget("g", None, "  users: [someone]\n");
    let templated = gadget("g", None, "  users: !Ref Users\n");
    let widget = ("app/widget.yaml", WIDGET);
    assert_eq!(
        run(cond, &[widget, ("rbac/g.yaml", &naming)], 1),
        (PASS, vec![])
    );
    // the finding points at the value nobody refers to
    assert_eq!(
        run(cond, &[widget, ("rbac/g.yaml", &other)], 1),
        (FAIL, vec!["app/widget.yaml:8:12".to_string()])
    );
    // a referrer whose reference is not known might name it
    assert_eq!(
        run(cond, &[widget, ("rbac/g.yaml", &templated)], 1),
        (SKIP, vec![])
    );
    // the same relation in the subject's own scope sees only its file
    let local =
        r#"{ referenced_by = { type = "Gadget", via = "spec.users", key = "spec.account" } }"#;
    assert_eq!(
        run(local, &[widget, ("rbac/g.yaml", &naming)], 1),
        (FAIL, vec!["app/widget.yaml:8:12".to_string()])
    );
    let together = format!("{WIDGET}---\n{naming}");
    assert_eq!(run(local, &[("app/all.yaml", &together)], 1).0, PASS);
}

#[test]
fn selected_by_follows_label_selectors_and_namespaces() {
    let cond = r#"{ selected_by = { type = "Gadget", via = "spec.selector", scope = "scan" } }"#;
    let widget = ("app/widget.yaml", WIDGET);
    let case = |ns: Option<&str>, selector: &str| {
        let g = gadget("np", ns, &format!("  selector: {selector}\n"));
        run(cond, &[widget, ("policies/np.yaml", &g)], 1).0
    };
    assert_eq!(case(Some("shop"), "{matchLabels: {app: web}}"), PASS);
    assert_eq!(case(None, "{}"), PASS);
    assert_eq!(case(Some("shop"), "{matchLabels: {app: db}}"), FAIL);
    assert_eq!(case(Some("other"), "{}"), FAIL);
    assert_eq!(
        case(
            None,
            "{matchExpressions: [{key: tier, operator: NotIn, values: [back]}]}"
        ),
        PASS
    );
    assert_eq!(case(None, "!Ref Selector"), SKIP);
    assert_eq!(
        run(cond, &[widget], 1),
        (FAIL, vec!["app/widget.yaml:2:1".to_string()])
    );
}

#[test]
fn any_resource_across_the_scan() {
    let cond = r#"{ any_resource = { type = "Gadget", scope = "scan", where = { path = "spec.on", is_true = true } } }"#;
    let on = gadget("g", None, "  on: true\n");
    let off = gadget("g", None, "  on: false\n");
    let widget = ("app/widget.yaml", WIDGET);
    assert_eq!(run(cond, &[widget, ("x/g.yaml", &on)], 1).0, PASS);
    assert_eq!(run(cond, &[widget, ("x/g.yaml", &off)], 1).0, FAIL);
    assert_eq!(run(cond, &[widget], 1).0, FAIL);
}

#[test]
fn questions_combine_with_local_conditions_and_each_other() {
    // pass when the widget itself says so, else when its account exists and
    // is safe, else when some gadget lists it: the shape of K8S-POD-004
    let cond = r#"{ any = [
        { path = "spec.exempt", is_true = true },
        { references = { type = "Gadget", via = "spec.account", scope = "scan", where = { path = "spec.safe", is_true = true } } },
        { referenced_by = { type = "Gadget", via = "spec.users", key = "spec.account", scope = "scan" } },
    ] }"#;
    let unsafe_ = gadget("keeper", None, "  safe: false\n");
    let lists = gadget("binding", None, "  users: [keeper]\n");
    let widget = ("app/widget.yaml", WIDGET);
    assert_eq!(run(cond, &[widget, ("a/g.yaml", &unsafe_)], 1).0, FAIL);
    assert_eq!(
        run(
            cond,
            &[widget, ("a/g.yaml", &unsafe_), ("b/b.yaml", &lists)],
            1
        )
        .0,
        PASS
    );
    let exempt = WIDGET.replace("  account: keeper\n", "  account: keeper\n  exempt: true\n");
    assert_eq!(
        run(
            cond,
            &[("app/widget.yaml", &exempt), ("a/g.yaml", &unsafe_)],
            1
        )
        .0,
        PASS
    );
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let mut files: Vec<(String, String)> = Vec::new();
    for i in 0..40 {
        let w = WIDGET
            .replace("name: alpha", &format!("name: w{i}"))
            .replace("account: keeper", &format!("account: k{}", i % 7));
        files.push((format!("d{}/w{i}.yaml", i % 9), w));
    }
    for k in 0..7 {
        let safe = if k % 2 == 0 { "true" } else { "false" };
        files.push((
            format!("g{k}/g.yaml"),
            gadget(&format!("k{k}"), None, &format!("  safe: {safe}\n")),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let one = run(REFERENCES, &refs, 1);
    assert_eq!(
        one.0 .1,
        40 - [0, 2, 4, 6]
            .iter()
            .map(|k| (0..40).filter(|i| i % 7 == *k).count())
            .sum::<usize>()
    );
    assert_eq!(run(REFERENCES, &refs, 4), one);
}

#[test]
fn a_scan_relation_cannot_wait_inside_another_ones_where() {
    let rule = |assert: &str| {
        format!(
            "[[rule]]\nid = \"T-001\"\ntitle = \"t\"\nseverity = \"low\"\ncriteria = [\"CC6.1\"]\n\
             target = \"kubernetes\"\nmessage = \"m\"\nrationale = \"r\"\nremediation = \"x\"\n\
             assert = {assert}\n"
        )
    };
    let error = |assert: &str| match load_file("t.toml", &rule(assert)) {
        Ok(_) => panic!("{assert}: accepted"),
        Err(e) => e.message,
    };
    assert!(error(
        r#"{ references = { type = "G", via = "a", scope = "scan", where = { any_resource = { type = "H", scope = "scan" } } } }"#
    )
    .contains("cannot have another scan-scope relation"));
    assert!(
        error(r#"{ references = { type = "G", via = "a", key = "b" } }"#)
            .contains("`key` goes with `referenced_by` only")
    );
    assert!(
        error(r#"{ references = { type = "G", via = "a", scope = "repo" } }"#)
            .contains("unknown scope `repo`")
    );
    assert!(error(r#"{ selected_by = { type = "G", via = "" } }"#).contains("needs `via`"));
}
