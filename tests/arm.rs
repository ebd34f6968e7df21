//! Azure Resource Manager templates (issue 18 item 6): resources with their
//! types (children written inside a parent joined as ARM joins them), the
//! JSON ARM reads (comments, trailing commas), `[parameters('x')]` and
//! `[variables('y')]` resolved to literal values with the place they were
//! set as the finding's location, every other expression unknown (rules
//! skip it). Measured on Azure/AzureStack-QuickStart-Templates and
//! Azure/azure-docs-json-samples (see the CHANGELOG).
use assert_cmd::Command;
use serde_json::Value;

mod common;
use common::hit;

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/// The JSON report of `check` on one file `name` holding `text`.
fn check(name: &str, text: &str, select: &str) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(name), text).expect("write");
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir.path())
        .args(["check", ".", "--format", "json", "--select", select])
        .output()
        .expect("runs");
    serde_json::from_slice(&out.stdout).expect("json")
}

/// (rule, resource, line, column) of each finding, sorted.
fn findings(json: &Value) -> Vec<common::Hit> {
    common::hits(json)
}

#[test]
fn a_parameter_default_is_where_the_finding_points() {
    let text = format!(
        r#"{{
  "$schema": "{SCHEMA}",
  "contentVersion": "1.0.0.0",
  "parameters": {{
    "storageName": {{ "type": "string", "defaultValue": "acmedata" }},
    "minTls": {{
      "type": "string",
      "defaultValue": "TLS1_0"
    }},
    "tlsFromDeployment": {{ "type": "string" }}
  }},
  "variables": {{
    "tls": "TLS1_1",
    "alias": "[variables('tls')]"
  }},
  "resources": [
    {{
      "type": "Microsoft.Storage/storageAccounts",
      "apiVersion": "2023-05-01",
      "name": "[parameters('storageName')]",
      "properties": {{ "minimumTlsVersion": "[parameters('minTls')]" }}
    }},
    {{
      "type": "Microsoft.Storage/storageAccounts",
      "apiVersion": "2023-05-01",
      "name": "viaVariable",
      "properties": {{ "minimumTlsVersion": "[variables('alias')]" }}
    }},
    {{
      "type": "Microsoft.Storage/storageAccounts",
      "apiVersion": "2023-05-01",
      "name": "unknown",
      "properties": {{ "minimumTlsVersion": "[parameters('tlsFromDeployment')]" }}
    }},
    {{
      "type": "Microsoft.Storage/storageAccounts",
      "apiVersion": "2023-05-01",
      "name": "computed",
      "properties": {{ "minimumTlsVersion": "[concat('TLS1_', '0')]" }}
    }}
  ]
}}
"#
    );
    let json = check("azuredeploy.json", &text, "ARM-STG-002");
    assert_eq!(
        findings(&json),
        vec![
            // the name took the parameter's default; the value points at
            // the default, the variable at the variable it came from
            hit("ARM-STG-002", "acmedata", 8, 23),
            hit("ARM-STG-002", "viaVariable", 13, 12),
        ]
    );
    // where the default is used is the landing site
    let f = &json["findings"][0];
    assert_eq!(f["message"], "storage account `acmedata` accepts `TLS1_0`");
    assert_eq!(f["related"][0]["role"], "landing");
    assert_eq!(
        f["related"][0]["note"],
        "default of parameter `minTls` is used by `acmedata`"
    );
    assert_eq!(
        (
            &f["related"][0]["start_line"],
            &f["related"][0]["start_column"]
        ),
        (&Value::from(21), &Value::from(44))
    );
}

#[test]
fn children_inside_a_parent_take_its_type_and_name() {
    let text = format!(
        r#"{{
  "$schema": "{SCHEMA}",
  "contentVersion": "1.0.0.0",
  // ARM reads comments /* both kinds */ and trailing commas
  "resources": [
    {{
      "type": "Microsoft.Sql/servers",
      "apiVersion": "2023-08-01",
      "name": "acme-sql",
      "properties": {{ "publicNetworkAccess": "Disabled", }},
      "resources": [
        {{
          "type": "firewallRules",
          "apiVersion": "2023-08-01",
          "name": "AllowAll",
          "dependsOn": ["acme-sql"],
          "properties": {{ "startIpAddress": "0.0.0.0", "endIpAddress": "255.255.255.255" }},
        }},
      ],
    }},
  ],
}}
"#
    );
    let json = check("sql.json", &text, "ARM-SQL");
    assert_eq!(
        findings(&json),
        vec![hit("ARM-SQL-002", "acme-sql/AllowAll", 17, 72)]
    );
    assert_eq!(json["errors"], serde_json::json!([]));
}

#[test]
fn a_comment_suppresses_a_finding_in_an_arm_template() {
    let text = format!(
        r#"{{
  "$schema": "{SCHEMA}",
  "resources": [
    {{
      "type": "Microsoft.KeyVault/vaults",
      "apiVersion": "2023-07-01",
      // soclint:ignore ARM-KV-001 reason="throwaway test vault"
      "name": "scratch",
      "properties": {{}}
    }}
  ]
}}
"#
    );
    let json = check("kv.json", &text, "ARM-KV-001");
    assert_eq!(findings(&json), vec![]);
    assert_eq!(json["suppressed"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_parameters_file_is_no_template() {
    let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "storageName": { "value": "acmedata" } }
}
"#;
    let json = check("azuredeploy.parameters.json", text, "ARM-");
    assert_eq!(json["summary"]["files_scanned"], 0, "{json:#}");
    assert_eq!(json["skipped"], serde_json::json!([]));
    assert_eq!(json["errors"], serde_json::json!([]));
}

#[test]
fn nested_deployments_are_read_in_their_own_scope() {
    let text = format!(
        r#"{{
  "$schema": "{SCHEMA}",
  "parameters": {{
    "tls": {{ "type": "string", "defaultValue": "TLS1_0" }}
  }},
  "resources": [
    {{
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "outerScope",
      "properties": {{
        "mode": "Incremental",
        "template": {{
          "$schema": "{SCHEMA}",
          "resources": [
            {{
              "type": "Microsoft.Storage/storageAccounts",
              "apiVersion": "2023-05-01",
              "name": "outer",
              "properties": {{ "minimumTlsVersion": "[parameters('tls')]" }}
            }}
          ]
        }}
      }}
    }},
    {{
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2022-09-01",
      "name": "innerScope",
      "properties": {{
        "mode": "Incremental",
        "expressionEvaluationOptions": {{ "scope": "inner" }},
        "parameters": {{ "passed": {{ "value": "[parameters('tls')]" }} }},
        "template": {{
          "$schema": "{SCHEMA}",
          "parameters": {{
            "tls": {{ "type": "string", "defaultValue": "TLS1_1" }},
            "passed": {{ "type": "string", "defaultValue": "TLS1_0" }}
          }},
          "resources": [
            {{
              "type": "Microsoft.Storage/storageAccounts",
              "apiVersion": "2023-05-01",
              "name": "inner",
              "properties": {{ "minimumTlsVersion": "[parameters('tls')]" }}
            }},
            {{
              "type": "Microsoft.Storage/storageAccounts",
              "apiVersion": "2023-05-01",
              "name": "passedIn",
              "properties": {{ "minimumTlsVersion": "[parameters('passed')]" }}
            }}
          ]
        }}
      }}
    }}
  ]
}}
"#
    );
    let json = check("nested.json", &text, "ARM-STG-002");
    assert_eq!(
        findings(&json),
        vec![
            // the outer template's default, and the inner template's own;
            // a parameter the deployment passes is not known
            hit("ARM-STG-002", "inner", 37, 56),
            hit("ARM-STG-002", "outer", 4, 48),
        ]
    );
}
