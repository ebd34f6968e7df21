statements = [
  { sid = "read", actions = ["s3:GetObject"] },
  { sid = "deny", effect = "Deny", not_actions = ["iam:*"], tags = { team = 1 } },
  { condition = [{ test = "StringEquals", values = [1, "b"] }] },
]
defaulted = null
nullable  = null
nested = {
  small = { size = "1" }
  large = { size = 100, enabled = false, extra = { name = "x" } }
}
