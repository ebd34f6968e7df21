# Variables whose values Terraform converts to their type constraints;
# terraform.tfvars sets some of them. expressions.hcl reads them back.
variable "statements" {
  type = list(object({
    sid         = optional(string)
    actions     = optional(list(string))
    not_actions = optional(list(string))
    effect      = optional(string, "Allow")
    tags        = optional(map(string), {})
    condition = optional(list(object({
      test   = string
      values = list(string)
    })), [])
  }))
  default = null
}

variable "port" {
  type    = number
  default = "42"
}

variable "ports" {
  type    = list(number)
  default = ["22", 443, "8080"]
}

variable "names" {
  type    = set(string)
  default = ["b", "a", "b", 1]
}

variable "flags" {
  type    = map(bool)
  default = { on = "true", off = false }
}

variable "anything" {
  type    = any
  default = { a = 1, b = ["x", 2] }
}

variable "mixed" {
  type    = map(any)
  default = { a = 1, b = "x" }
}

variable "pair" {
  type    = tuple([string, number, bool])
  default = [1, "2", "false"]
}

variable "defaulted" {
  type     = string
  default  = "fallback"
  nullable = false
}

variable "nullable" {
  type    = string
  default = "kept"
}

variable "nested" {
  type = map(object({
    size    = number
    enabled = optional(bool, true)
    extra = optional(object({
      level = optional(number, 1)
      name  = optional(string)
    }), {})
  }))
  default = {}
}

variable "untyped" {
  default = ["a", 1]
}

locals {
  first_effect = var.statements[0].effect
  sids         = [for s in var.statements : s.sid]
  by_sid       = { for s in var.statements : coalesce(s.sid, "none") => s.effect }
}
