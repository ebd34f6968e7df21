//! The YAML parser's own cases: spans, limits, aliases, keys, errors.
use super::*;

#[test]
fn quoted_scalar_span_stops_at_the_closing_quote() {
    let limits = Limits::default();
    let text = "a: \"x \\\" y\" # note\nb: 'it''s' # c\n";
    let doc = &parse(text, &limits).unwrap()[0];
    let a = doc.get("a").unwrap();
    assert_eq!(&text[a.span.start..a.span.end], "\"x \\\" y\"");
    let b = doc.get("b").unwrap();
    assert_eq!(&text[b.span.start..b.span.end], "'it''s'");
    assert_eq!(b.as_str(), Some("it's"));
}

fn parse1(text: &str) -> Node {
    let mut docs = parse(text, &Limits::default()).unwrap();
    assert_eq!(docs.len(), 1, "{docs:?}");
    docs.remove(0)
}

fn at(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

#[test]
fn block_scalar_spans() {
    let text = "spec:\n  privileged: true\n";
    let doc = parse1(text);
    let spec = doc.entry("spec").unwrap();
    assert_eq!(spec.key_span, Span::new(0, 4));
    assert_eq!(spec.value.span, Span::new(8, 24));
    let p = spec.value.entry("privileged").unwrap();
    assert_eq!(p.key_span, Span::new(8, 18));
    assert_eq!(p.value.value, Value::Bool(true));
    assert_eq!(p.value.span, Span::new(20, 24));
    assert_eq!(doc.span, Span::new(0, 24));
}

#[test]
fn flow_spans_and_quoting() {
    let text = "a: [1, \"x\", {b: 'c'}, true]\nd: 'true'\ne: on\n1: x\n";
    let doc = parse1(text);
    let a = doc.get("a").unwrap();
    assert_eq!(at(text, a.span), "[1, \"x\", {b: 'c'}, true]");
    let items = a.as_list().unwrap();
    assert_eq!(items[0].value, Value::Number(1.0));
    assert_eq!(at(text, items[1].span), "\"x\"");
    assert_eq!(items[1].value, Value::String("x".into()));
    assert_eq!(at(text, items[2].span), "{b: 'c'}");
    assert_eq!(at(text, items[2].entry("b").unwrap().key_span), "b");
    assert_eq!(at(text, items[2].get("b").unwrap().span), "'c'");
    assert_eq!(items[3].value, Value::Bool(true));
    assert_eq!(doc.get("d").unwrap().value, Value::String("true".into()));
    assert_eq!(doc.get("e").unwrap().value, Value::String("on".into()));
    assert_eq!(doc.get("1").unwrap().as_str(), Some("x"));
}

#[test]
fn core_schema_scalars() {
    let text = "a: True\nb: FALSE\nc: ~\nd:\ne: 0x1F\nf: 0o17\ng: .inf\nh: -.5e1\ni: .nan\nj: 1.2.3\nk: |\n  line1\n  line2\nl: >-\n  folded\n  text\n\nm: !!str 12\n";
    let doc = parse1(text);
    assert_eq!(doc.get("a").unwrap().value, Value::Bool(true));
    assert_eq!(doc.get("b").unwrap().value, Value::Bool(false));
    assert_eq!(doc.get("c").unwrap().value, Value::Null);
    let d = doc.get("d").unwrap();
    assert_eq!(d.value, Value::Null);
    assert!(d.span.is_empty());
    assert_eq!(doc.get("e").unwrap().value, Value::Number(31.0));
    assert_eq!(doc.get("f").unwrap().value, Value::Number(15.0));
    assert_eq!(doc.get("g").unwrap().value, Value::Number(f64::INFINITY));
    assert_eq!(doc.get("h").unwrap().value, Value::Number(-5.0));
    assert!(matches!(doc.get("i").unwrap().value, Value::Number(n) if n.is_nan()));
    assert_eq!(doc.get("j").unwrap().as_str(), Some("1.2.3"));
    let k = doc.get("k").unwrap();
    assert_eq!(k.as_str(), Some("line1\nline2\n"));
    assert_eq!(at(text, k.span), "line1\n  line2");
    assert_eq!(doc.get("l").unwrap().as_str(), Some("folded text"));
    assert_eq!(doc.get("m").unwrap().as_str(), Some("12"));
    assert_eq!(at(text, doc.get("m").unwrap().span), "12");
}

#[test]
fn block_sequences_and_nesting() {
    let text = "items:\n  - name: a\n    port: 80\n  - b\n# trailing comment\n";
    let doc = parse1(text);
    let items = doc.get("items").unwrap();
    assert_eq!(at(text, items.span), "- name: a\n    port: 80\n  - b");
    let first = &items.as_list().unwrap()[0];
    assert_eq!(at(text, first.span), "name: a\n    port: 80");
    assert_eq!(first.get("port").unwrap().span, Span::new(29, 31));
}

#[test]
fn multi_document_stream() {
    let text = "---\na: 1\n---\n---\n- x\n...\n---\n# only a comment\n";
    let docs = parse(text, &Limits::default()).unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].get("a").unwrap().span, Span::new(7, 8));
    assert_eq!(at(text, docs[1].span), "- x");
    assert!(parse("", &Limits::default()).unwrap().is_empty());
    assert!(parse("# nothing\n", &Limits::default()).unwrap().is_empty());
    assert_eq!(parse("a\n---\nb\n", &Limits::default()).unwrap().len(), 2);
}

#[test]
fn cloudformation_short_tags() {
    let text = "Value: !Ref MyBucket\nArn: !GetAtt Role.Arn\nName: !Join ['-', [a, !Sub '${AWS::StackName}-x']]\nCond: !If\n  - IsProd\n  - 1\n  - 2\nOther: !custom 5\n";
    let doc = parse1(text);
    let v = doc.get("Value").unwrap();
    assert_eq!(at(text, v.span), "!Ref MyBucket");
    let Value::Expr(e) = &v.value else {
        panic!("{v:?}")
    };
    assert_eq!(e.function.as_deref(), Some("Ref"));
    assert_eq!(e.text, "!Ref MyBucket");
    let arg = e.argument.as_ref().unwrap();
    assert_eq!(arg.as_str(), Some("MyBucket"));
    assert_eq!(at(text, arg.span), "MyBucket");

    let Value::Expr(e) = &doc.get("Arn").unwrap().value else {
        panic!()
    };
    assert_eq!(e.function.as_deref(), Some("Fn::GetAtt"));
    assert_eq!(e.argument.as_ref().unwrap().as_str(), Some("Role.Arn"));

    let name = doc.get("Name").unwrap();
    assert_eq!(
        at(text, name.span),
        "!Join ['-', [a, !Sub '${AWS::StackName}-x']]"
    );
    let Value::Expr(e) = &name.value else {
        panic!()
    };
    assert_eq!(e.function.as_deref(), Some("Fn::Join"));
    let args = e.argument.as_ref().unwrap();
    assert_eq!(
        at(text, args.span),
        "['-', [a, !Sub '${AWS::StackName}-x']]"
    );
    let inner = &args.as_list().unwrap()[1].as_list().unwrap()[1];
    assert_eq!(at(text, inner.span), "!Sub '${AWS::StackName}-x'");
    let Value::Expr(sub) = &inner.value else {
        panic!()
    };
    assert_eq!(sub.function.as_deref(), Some("Fn::Sub"));
    let sub_arg = sub.argument.as_ref().unwrap();
    assert_eq!(sub_arg.as_str(), Some("${AWS::StackName}-x"));
    assert_eq!(at(text, sub_arg.span), "'${AWS::StackName}-x'");

    let cond = doc.get("Cond").unwrap();
    assert_eq!(at(text, cond.span), "!If\n  - IsProd\n  - 1\n  - 2");
    let Value::Expr(e) = &cond.value else {
        panic!()
    };
    assert_eq!(e.function.as_deref(), Some("Fn::If"));
    assert_eq!(e.argument.as_ref().unwrap().as_list().unwrap().len(), 3);

    let other = doc.get("Other").unwrap();
    assert_eq!(other.value, Value::Number(5.0));
    assert_eq!(at(text, other.span), "5");
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let text = "base: &base\n  image: nginx\n  replicas: 1\nsvc:\n  <<: *base\n  replicas: 3\ncopy: *base\nname: &n web\nref: *n\n";
    let doc = parse1(text);
    let svc = doc.get("svc").unwrap();
    let keys: Vec<&str> = svc
        .as_map()
        .unwrap()
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    assert_eq!(keys, ["image", "replicas"]);
    assert_eq!(svc.get("replicas").unwrap().value, Value::Number(3.0));
    assert_eq!(svc.get("image").unwrap().as_str(), Some("nginx"));
    // merged entries keep the anchor's spans
    assert_eq!(at(text, svc.entry("image").unwrap().key_span), "image");
    assert_eq!(at(text, svc.span), "<<: *base\n  replicas: 3");
    let base = doc.get("base").unwrap();
    assert_eq!(at(text, base.span), "image: nginx\n  replicas: 1");
    let copy = doc.get("copy").unwrap();
    assert_eq!(at(text, copy.span), "*base");
    assert_eq!(copy.get("image").unwrap().as_str(), Some("nginx"));
    let r = doc.get("ref").unwrap();
    assert_eq!(r.as_str(), Some("web"));
    assert_eq!(at(text, r.span), "*n");
    assert_eq!(at(text, doc.get("name").unwrap().span), "web");
}

#[test]
fn billion_laughs_is_rejected_fast() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        text.push_str(&format!("{}: &{} [{}]\n", w[1], w[1], refs));
    }
    let started = std::time::Instant::now();
    let err = parse(&text, &Limits::default()).unwrap_err();
    assert!(err.message.contains("alias expansion exceeds"), "{err:?}");
    assert!(err.message.contains("billion-laughs"));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // a smaller budget is enforced by the conversion
    let small = Limits {
        max_depth: 128,
        max_nodes: 50,
        ..Limits::default()
    };
    let err = parse(
        "a: &a [1,2,3,4,5,6,7,8,9]\nb: [*a,*a,*a,*a,*a,*a]\n",
        &small,
    )
    .unwrap_err();
    assert!(
        err.message.contains("alias expansion exceeds 50 nodes"),
        "{err:?}"
    );
}

#[test]
fn deep_nesting_is_rejected_without_overflow() {
    let text = "[".repeat(10_000) + &"]".repeat(10_000);
    let err = parse(&text, &Limits::default()).unwrap_err();
    assert_eq!(err.message, "nesting deeper than 128 levels");
    assert!(err.span.start >= 128 && err.span.start <= 256, "{err:?}");
    let text = "a:\n".to_string()
        + &(1..200)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i * 2)))
            .collect::<String>();
    let err = parse(&text, &Limits::default()).unwrap_err();
    assert_eq!(err.message, "nesting deeper than 128 levels");
    assert_eq!(err.span.start, text.find("k128:").unwrap());
    let text = "[".repeat(100_000);
    let err = parse(&text, &Limits::default()).unwrap_err();
    assert!(err.message.contains("nesting deeper"));
    let text = "- ".repeat(5_000) + "x\n";
    assert!(parse(&text, &Limits::default())
        .unwrap_err()
        .message
        .contains("nesting deeper"));
    // exactly at the limit is fine
    let ok = "[".repeat(128) + &"]".repeat(128);
    assert_eq!(parse1(&ok).depth(), 128);
    // aliases cannot be used to build deeper trees than the limit
    let limits = Limits {
        max_depth: 3,
        max_nodes: 1000,
        ..Limits::default()
    };
    let err = parse("a: &a [[1]]\nb: [[*a]]\n", &limits).unwrap_err();
    assert!(err.message.contains("nesting deeper than 3"), "{err:?}");
}

#[test]
fn errors_have_positions() {
    let text = "a: b\nc: ]\n";
    let err = parse(text, &Limits::default()).unwrap_err();
    assert_eq!(err.span.start, 8);
    assert!(!err.message.is_empty());
    let err = parse("a: *nope\n", &Limits::default()).unwrap_err();
    assert_eq!(err.span.start, 3);
    assert!(err.message.contains("unknown anchor"), "{err:?}");
    assert!(parse("a: &a [*a]\n", &Limits::default()).is_err());
    // a non-ASCII prefix still gives a byte offset
    let err = parse("é: ü\nc: ]\n", &Limits::default()).unwrap_err();
    assert_eq!(err.span.start, 10);
}

#[test]
fn non_ascii_byte_offsets() {
    let text = "\u{feff}name: \"héllo wörld\"\nnext: ✓ ok\nport: 8080\n";
    let doc = parse1(text);
    let name = doc.get("name").unwrap();
    assert_eq!(at(text, name.span), "\"héllo wörld\"");
    assert_eq!(doc.entry("name").unwrap().key_span, Span::new(3, 7));
    assert_eq!(at(text, doc.get("next").unwrap().span), "✓ ok");
    let port = doc.get("port").unwrap();
    assert_eq!(at(text, port.span), "8080");
    assert_eq!(port.value, Value::Number(8080.0));
}

#[test]
fn complex_keys_and_odd_input_do_not_panic() {
    let doc = parse1("? [a, b]\n: c\n? {x: 1}\n: d\n");
    let keys: Vec<&str> = doc
        .as_map()
        .unwrap()
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    assert_eq!(keys, ["[a, b]", "{x: 1}"]);
    for junk in [
        "\u{0}\u{1}\u{2}",
        "\t- a\n",
        "a:\n\t- b\n",
        "{",
        "]",
        "- [a, {b: }\n",
        "&",
        "!",
        "*",
        "? ? ?",
        "a: !Ref\n",
        "\"unterminated",
        "a: 'x\n",
        "%YAML 1.2\n---\na\n",
        "a: b: c",
        "key: [1, 2\n",
        "\u{feff}",
        "--- |\n  x\n",
    ] {
        let _ = parse(junk, &Limits::default());
    }
}

fn limits(max_depth: usize, max_nodes: usize) -> Limits {
    Limits {
        max_depth,
        max_nodes,
        ..Limits::default()
    }
}

#[test]
fn deep_nesting_of_100k_levels_is_rejected_without_overflow() {
    for text in [
        "[".repeat(100_000),
        "[".repeat(100_000) + &"]".repeat(100_000),
        "- ".repeat(100_000) + "x\n",
        "a: ".to_string() + &"{b: ".repeat(100_000),
        "? ".repeat(100_000) + "x\n",
    ] {
        let err = parse(&text, &Limits::default()).unwrap_err();
        assert!(err.message.starts_with("nesting deeper than"), "{err:?}");
        assert!(err.span.start < 1000, "{err:?}");
    }
    // the limit counts collections, wherever they start
    let err = parse(&"- ".repeat(200), &limits(10, 1000)).unwrap_err();
    assert_eq!(err.message, "nesting deeper than 10 levels");
    assert_eq!(err.span, Span::new(20, 20));
    // the position of a too-deep collection includes its properties
    let err = parse("[[&a !t [x]]]", &limits(2, 1000)).unwrap_err();
    assert_eq!(err.span, Span::new(2, 2));
}

#[test]
fn aliases_are_checked_against_the_depth_limit_before_copying() {
    let text = "a: &a [[1]]\nb: [[*a]]\n";
    // the alias itself would sit at level 3
    let err = parse(text, &limits(3, 1000)).unwrap_err();
    assert_eq!(err.message, "nesting deeper than 3 levels");
    assert_eq!(err.span.start, text.find("*a").unwrap());
    // a collection inside the copy: its place in the anchor
    let err = parse(text, &limits(4, 1000)).unwrap_err();
    assert_eq!(err.message, "nesting deeper than 4 levels");
    assert_eq!(err.span, Span::new(7, 7));
    assert_eq!(parse1(text).get("b").unwrap().depth(), 5);
}

#[test]
fn alias_budget_is_a_clear_error_at_the_alias() {
    // 40 aliases of 3,000 nodes: past saphyr's 100,000 at the 34th
    let items = vec!["x"; 2_999].join(", ");
    let mut text = format!("a: &a [{items}]\nb:\n");
    for _ in 0..40 {
        text.push_str("  - *a\n");
    }
    let err = parse(&text, &Limits::default()).unwrap_err();
    assert_eq!(
        err.message,
        "alias expansion exceeds 100000 nodes (possible billion-laughs)"
    );
    let nth = |n: usize| text.match_indices("*a").nth(n).unwrap().0;
    assert_eq!(err.span, Span::new(nth(33), nth(33) + 1));
    // the budget error wins over the node limit, met earlier (as when
    // saphyr's loader ran before the conversion); its message gives the
    // smaller of the two
    let err = parse(&text, &limits(128, 50_000)).unwrap_err();
    assert_eq!(
        err.message,
        "alias expansion exceeds 50000 nodes (possible billion-laughs)"
    );
    assert_eq!(err.span, Span::new(nth(33), nth(33) + 1));
    // within the budget, the node limit
    let short = text[..nth(20)].to_string();
    let err = parse(&short, &limits(128, 50_000)).unwrap_err();
    assert_eq!(
        err.message,
        "alias expansion exceeds 50000 nodes (possible billion-laughs)"
    );
    assert_eq!(err.span, Span::new(0, 0));
    // without aliases the node limit has its own message
    let err = parse("[1, 2, 3]", &limits(128, 3)).unwrap_err();
    assert_eq!(err.message, "document exceeds 3 nodes");
}

#[test]
fn bombs_through_tags_and_keys_are_bounded() {
    // tagged collections and complex keys count towards the alias budget
    // with their content (the former loading copied them freely)
    let mut tagged = String::from("a: &a !t [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let mut keyed = String::from("a: &a {? [lol, lol, lol, lol, lol, lol, lol, lol] : 1}\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(", ");
        tagged.push_str(&format!("{}: &{} !t [{refs}]\n", w[1], w[1]));
        keyed.push_str(&format!("{}: &{} {{? [{refs}] : 1}}\n", w[1], w[1]));
    }
    for text in [tagged, keyed] {
        let started = std::time::Instant::now();
        let err = parse(&text, &Limits::default()).unwrap_err();
        assert!(err.message.contains("alias expansion exceeds"), "{err:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}

#[test]
fn merge_keys() {
    let text = "base: &base {image: nginx, replicas: 1, port: 80}\n\
                extra: &extra {replicas: 2, debug: true}\n\
                one: {<<: [*extra, *base], port: 81}\n\
                quoted: {\"<<\": *base}\n\
                scalar: {<<: 5}\n";
    let doc = parse1(text);
    let one = doc.get("one").unwrap();
    let keys: Vec<&str> = one
        .as_map()
        .unwrap()
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    // merged entries take the place of `<<`; explicit keys win; the first
    // merged map wins among merged maps
    assert_eq!(keys, ["replicas", "debug", "image", "port"]);
    assert_eq!(one.get("replicas").unwrap().value, Value::Number(2.0));
    assert_eq!(one.get("port").unwrap().value, Value::Number(81.0));
    let image = one.entry("image").unwrap();
    assert_eq!(image.key_span.start, text.find("image").unwrap());
    // only a plain `<<` whose value is a map (or a list of maps) merges
    let quoted = doc.get("quoted").unwrap();
    assert_eq!(quoted.as_map().unwrap()[0].key, "<<");
    assert_eq!(doc.get("scalar").unwrap().as_map().unwrap()[0].key, "<<");
}

#[test]
fn tags_on_aliases_and_collections() {
    let text = "r: &r !Ref Bucket\ncopy: *r\nl: &l !If [c, 1, 2]\nlc: *l\nc: &c !custom {a: 1}\ncc: *c\ns: !!str 12\nbad: !!int twelve\n";
    let doc = parse1(text);
    let copy = doc.get("copy").unwrap();
    let Value::Expr(e) = &copy.value else {
        panic!("{copy:?}")
    };
    // a copy of a tagged node: the alias is its text and span
    assert_eq!(e.text, "*r");
    assert_eq!(e.function.as_deref(), Some("Ref"));
    assert_eq!(at(text, copy.span), "*r");
    let arg = e.argument.as_ref().unwrap();
    assert_eq!((arg.as_str(), at(text, arg.span)), (Some("Bucket"), "*r"));
    let lc = doc.get("lc").unwrap();
    let Value::Expr(e) = &lc.value else {
        panic!("{lc:?}")
    };
    assert_eq!(e.function.as_deref(), Some("Fn::If"));
    let args = e.argument.as_ref().unwrap();
    assert_eq!(at(text, args.span), "*l");
    assert_eq!(at(text, args.as_list().unwrap()[0].span), "c");
    // other tags are dropped, core tags resolve
    let cc = doc.get("cc").unwrap();
    assert_eq!(cc.get("a").unwrap().value, Value::Number(1.0));
    assert_eq!(at(text, cc.span), "*c");
    assert_eq!(at(text, doc.get("c").unwrap().span), "{a: 1}");
    assert_eq!(doc.get("s").unwrap().as_str(), Some("12"));
    // a core tag that does not fit: the text, unresolved
    let bad = doc.get("bad").unwrap();
    assert_eq!(
        (bad.as_str(), at(text, bad.span)),
        (Some("twelve"), "twelve")
    );
    // ...which no alias can use
    let err = parse("a: &a !!int twelve\nb: *a\n", &Limits::default()).unwrap_err();
    assert!(err.message.contains("not complete yet"), "{err:?}");
}

#[test]
fn duplicate_keys_by_resolved_value() {
    let dup = |text: &str| {
        parse(text, &Limits::default())
            .err()
            .filter(|e| e.message.starts_with("duplicated key `"))
            .map(|e| e.span.start)
    };
    for (text, second) in [
        ("{1: a, 0x1: b}", 7),
        ("{true: a, True: b}", 10),
        ("{~: a, null: b}", 7),
        ("{.nan: a, .NaN: b}", 10),
        ("{a: 1, 'a': 2}", 7),
        ("{!!str 5: a, '5': b}", 13),
        ("{[a, b]: 1, [a, b]: 2}", 17),
        ("{!t x: 1, !t x: 2}", 10),
        ("a: &k [1]\nb: {? [1] : 1, ? *k : 2}\n", 0),
        ("? &k [1]\n: 1\n? *k\n: 2\n", 15),
    ] {
        let at = dup(text);
        assert!(at.is_some(), "{text}");
        if second > 0 {
            assert_eq!(at, Some(second), "{text}");
        }
    }
    for text in [
        "{1: a, 1.0: b, '1': c}",
        "{a: 1, !t a: 2}",
        "{[a, b]: 1, [b, a]: 2}",
        "{0.0: a, -1: b}",
    ] {
        assert!(parse(text, &Limits::default()).is_ok(), "{text}");
    }
    // a collection key is marked where it ends
    let text = "? [a]\n: 1\n? [a]\n: 2\n";
    assert_eq!(dup(text), Some(14));
    // a large mapping is checked through its index
    let mut big: String = (0..300).map(|i| format!("k{i}: {i}\n")).collect();
    assert!(parse(&big, &Limits::default()).is_ok());
    big.push_str("k17: again\n");
    assert_eq!(dup(&big), Some(big.rfind("k17").unwrap()));
}

/// The message names the key and both its lines (the CloudFormation
/// template of aws-cloudformation-templates that repeats an `Outputs` entry
/// 24 lines apart, in the shape of that file).
#[test]
fn duplicate_key_names_the_key_and_both_lines() {
    let text = "Outputs:\n  EC2InstanceSGID:\n    Value: a\n  Other:\n    Value: b\n  EC2InstanceSGID:\n    Value: c\n";
    let err = parse(text, &Limits::default()).unwrap_err();
    assert_eq!(
        err.message,
        "duplicated key `EC2InstanceSGID` in mapping (lines 2 and 6)"
    );
    assert_eq!(err.span.start, text.rfind("EC2InstanceSGID").unwrap());
    // a long key is cut
    let long = "k".repeat(100);
    let err = parse(&format!("{long}: 1\n{long}: 2\n"), &Limits::default()).unwrap_err();
    assert_eq!(
        err.message,
        format!(
            "duplicated key `{}…` in mapping (lines 1 and 2)",
            "k".repeat(60)
        )
    );
}

#[test]
fn keys_follow_saphyr_loading() {
    // a key that a core tag cannot resolve vanishes and the next node
    // becomes the key; a key left without a value is dropped
    let doc = parse1("{!!int x: 1, b: 2}");
    let entries = doc.as_map().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].key.as_str(), entries[0].value.as_str()),
        ("1", Some("b"))
    );
    // nothing in a dropped key counts, even an error
    let doc = parse1("a: &a [1]\nm: {!!int x: 1, b: [*a, *a]}\n");
    assert_eq!(doc.get("m").unwrap().as_map().unwrap().len(), 1);
    assert!(parse("m: {!!int x: 1, b: [*a, *a]}\n", &Limits::default()).is_err());
    assert!(parse("m: &m {!!int x: 1, b: [*m]}\n", &Limits::default()).is_ok());
    // an anchor of an earlier document is unknown
    let text = "a: &a 1\n---\nb: *a\n";
    let err = parse(text, &Limits::default()).unwrap_err();
    assert_eq!(err.message, "while parsing node, found unknown anchor");
    assert_eq!(err.span.start, text.find("*a").unwrap());
}

#[test]
fn errors_come_in_the_order_of_the_former_loading() {
    // a loader error (duplicate key) beats an earlier conversion error
    let text = "a: [1, 2, 3, 4, 5, 6]\nb: {x: 1, x: 2}\n";
    let err = parse(text, &limits(128, 5)).unwrap_err();
    assert_eq!(err.message, "duplicated key `x` in mapping (lines 2 and 2)");
    // a syntax error beats both
    let err = parse("a: [1, 2, 3]\nb: {x: 1, x: 2}\nc: ]\n", &limits(128, 2)).unwrap_err();
    assert!(!err.message.starts_with("duplicated key"), "{err:?}");
    // nesting found before a syntax error beats it
    let err = parse("a: [[[[1]]]]\nb: {x: 1, x: 2}\nc: ]\n", &limits(3, 100)).unwrap_err();
    assert_eq!(err.message, "nesting deeper than 3 levels");
}

#[test]
fn directive_with_non_ascii_keeps_byte_offsets() {
    let text = "%FOO é ü\n---\nname: wörld\nport: 1\n";
    let doc = parse1(text);
    assert_eq!(at(text, doc.get("name").unwrap().span), "wörld");
    assert_eq!(at(text, doc.get("port").unwrap().span), "1");
}

/// A multi-line quoted scalar continued at its key's column, as in
/// aws-cloudformation-templates' `FindInMap_Inside_Sub.yaml`: PyYAML,
/// cfn-lint and CloudFormation read it, with spans in the file as written.
#[test]
fn quoted_scalar_continued_at_the_key_column_is_read() {
    let text = "Outputs:\n  Steps:\n    Value: 'Log in, select\n    your instance'\n  Next:\n    Value: b\n";
    let doc = parse1(text);
    let steps = doc.get("Outputs").unwrap().get("Steps").unwrap();
    let value = steps.get("Value").unwrap();
    assert_eq!(value.as_str(), Some("Log in, select your instance"));
    assert_eq!(at(text, value.span), "'Log in, select\n    your instance'");
    let next = doc.get("Outputs").unwrap().entry("Next").unwrap();
    assert_eq!(at(text, next.key_span), "Next");
    assert_eq!(at(text, next.value.get("Value").unwrap().span), "b");
}

/// A flow sequence closed at its key's column, as in
/// `CreateHanaBackupSecureBackut.yaml` (PyYAML reads it).
#[test]
fn flow_sequence_closed_at_the_key_column_is_read() {
    let text = "Condition:\n  Like:\n    'enc': [\n        \"aws:kms\",\n        \"AES256\"\n    ]\n    'id': [\n      x\n    ]\nEnd: 1\n";
    let doc = parse1(text);
    let like = doc.get("Condition").unwrap().get("Like").unwrap();
    let enc = like.get("enc").unwrap();
    let items: Vec<_> = enc
        .as_list()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(items, ["aws:kms", "AES256"]);
    assert_eq!(at(text, enc.as_list().unwrap()[1].span), "\"AES256\"");
    assert_eq!(
        at(text, like.get("id").unwrap().as_list().unwrap()[0].span),
        "x"
    );
    assert_eq!(at(text, doc.entry("End").unwrap().key_span), "End");
}

/// Indentation errors elsewhere stay errors: a block mapping key out of line
/// is not a flow collection or a quoted scalar.
#[test]
fn other_indentation_errors_stay_errors() {
    for text in [
        "a:\n    b: 1\n  c: 2\n",
        "a: [1,\n2]\nb: 'x\n",
        "a:\n  - 1\n - 2\n",
    ] {
        assert!(parse(text, &Limits::default()).is_err(), "{text}");
    }
}
