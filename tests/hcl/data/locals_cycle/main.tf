locals {
  a = local.b + 1
  b = local.a
  c = 1
}
