// The differential oracle: Go's text/template with Sprig and Helm's own
// functions (include, tpl, toYaml, fromYaml, toJson, fromJson, required, fail),
// run as Helm's engine runs a template: missingkey=zero, then every
// "<no value>" removed. It reads cases.txt and writes answers.json, which
// tests/helm_oracle.rs compares soclint's renderer with (CI needs no Go).
//
// cases.txt: "=== NAME" starts a case; "--- values", "--- helpers" and
// "--- template" start its parts (the last newline of a part is not part of it).
//
// Regenerate with tests/data/helm/oracle/regenerate.sh (Debian: golang-go,
// golang-github-masterminds-sprig-dev, golang-gopkg-yaml.v2-dev).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v2"
)

type testCase struct {
	Name     string
	Template string `json:"template"`
	Helpers  string `json:"helpers"`
	Values   string `json:"values"`
}

type answer struct {
	Output string `json:"output"`
	Error  bool   `json:"error"`
}

// sigs.k8s.io/yaml's conversion: YAML to JSON-compatible values.
func convert(v interface{}) interface{} {
	switch x := v.(type) {
	case map[interface{}]interface{}:
		m := map[string]interface{}{}
		for k, val := range x {
			m[fmt.Sprintf("%v", k)] = convert(val)
		}
		return m
	case []interface{}:
		for i := range x {
			x[i] = convert(x[i])
		}
		return x
	}
	return v
}

// sigs.k8s.io/yaml's Unmarshal, with its error texts.
func yamlToGo(text string, into interface{}) error {
	var raw interface{}
	if err := yaml.Unmarshal([]byte(text), &raw); err != nil {
		return fmt.Errorf("error converting YAML to JSON: %v", err)
	}
	j, err := json.Marshal(convert(raw))
	if err != nil {
		return fmt.Errorf("error converting YAML to JSON: %v", err)
	}
	if err := json.Unmarshal(j, into); err != nil {
		return fmt.Errorf("error unmarshaling JSON: while decoding JSON: %v", err)
	}
	return nil
}

func toYAML(v interface{}) string {
	j, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var obj interface{}
	if err := yaml.Unmarshal(j, &obj); err != nil {
		return ""
	}
	data, err := yaml.Marshal(obj)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(str string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yamlToGo(str, &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(str string) map[string]interface{} {
	m := make(map[string]interface{})
	if err := json.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func render(c testCase) answer {
	t := template.New("gotpl")
	t.Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["toJson"] = toJSON
	funcs["fromJson"] = fromJSON
	funcs["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, fmt.Errorf(warn)
		} else if _, ok := val.(string); ok {
			if val == "" {
				return val, fmt.Errorf(warn)
			}
		}
		return val, nil
	}
	funcs["fail"] = func(msg string) (string, error) { return "", fmt.Errorf(msg) }
	funcs["include"] = func(string, interface{}) (string, error) { return "", nil }
	funcs["tpl"] = func(string, interface{}) (string, error) { return "", nil }
	funcs["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(tpl string, vals map[string]interface{}) (string, error) {
		clone, err := t.Clone()
		if err != nil {
			return "", err
		}
		clone.Option("missingkey=zero")
		// Helm gives the copy an include that sees the copy's templates
		clone.Funcs(template.FuncMap{"include": func(name string, data interface{}) (string, error) {
			var buf strings.Builder
			err := clone.ExecuteTemplate(&buf, name, data)
			return buf.String(), err
		}})
		nt, err := clone.New("gotpl").Parse(tpl)
		if err != nil {
			return "", err
		}
		var buf strings.Builder
		if err := nt.Execute(&buf, vals); err != nil {
			return "", err
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	t.Funcs(funcs)
	if _, err := t.New("_helpers.tpl").Parse(c.Helpers); err != nil {
		return answer{Error: true}
	}
	main, err := t.New("main").Parse(c.Template)
	if err != nil {
		return answer{Error: true}
	}
	values := map[string]interface{}{}
	if err := yamlToGo(c.Values, &values); err != nil {
		return answer{Error: true}
	}
	dot := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": "rel", "Namespace": "ns", "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
	}
	var buf bytes.Buffer
	if err := main.Execute(&buf, dot); err != nil {
		return answer{Error: true}
	}
	return answer{Output: strings.ReplaceAll(buf.String(), "<no value>", "")}
}

func parseCases(text string) []testCase {
	text = strings.TrimSuffix(text, "\n")
	var cases []testCase
	var part *string
	var lines []string
	flush := func() {
		if part != nil {
			*part = strings.Join(lines, "\n")
		}
		lines = nil
	}
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "=== "):
			flush()
			part = nil
			cases = append(cases, testCase{Name: strings.TrimPrefix(line, "=== ")})
		case line == "--- values" || line == "--- helpers" || line == "--- template":
			flush()
			c := &cases[len(cases)-1]
			switch line {
			case "--- values":
				part = &c.Values
			case "--- helpers":
				part = &c.Helpers
			default:
				part = &c.Template
			}
		default:
			lines = append(lines, line)
		}
	}
	flush()
	return cases
}

func main() {
	data, err := os.ReadFile("cases.txt")
	if err != nil {
		panic(err)
	}
	cases := parseCases(string(data))
	answers := map[string]answer{}
	names := []string{}
	for _, c := range cases {
		answers[c.Name] = render(c)
		names = append(names, c.Name)
	}
	sort.Strings(names)
	out, _ := json.MarshalIndent(answers, "", "  ")
	os.WriteFile("answers.json", append(out, '\n'), 0o644)
}
