//! Tests of the Terraform import on small fixtures.
