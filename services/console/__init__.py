"""The county centre's web console (综治中心工作台): a browser client of the public ``/v1`` API."""
