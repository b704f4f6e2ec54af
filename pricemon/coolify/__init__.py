"""Coolify: the API client (`client`), redeploying and following deployments (`deploy`),
and provisioning the whole stack in a project (`provision`).

Import the submodules directly; this package imports nothing so `pricemon --help` stays fast.
"""
