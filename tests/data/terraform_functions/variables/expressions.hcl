# Read back after conversion (regenerate.sh runs terraform console here).
var.statements
var.statements[0]
var.statements[1].tags
var.statements[2].condition
var.statements[0].not_actions
var.port
var.port + 1
var.ports
var.names
var.flags
var.anything
var.mixed
var.pair
var.defaulted
var.nullable
var.nested
var.nested.small.extra
var.nested.large.extra.level
var.untyped
local.first_effect
local.sids
local.by_sid
length(var.statements)
[for s in var.statements : s.not_actions == null]
try(var.statements[0].nope, "missing attribute")
var.statements[0].nope
