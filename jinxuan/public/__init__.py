"""The public face: the list of calls, a call's page with its status and the links its stages publish, and the
health probes. Sits above the stage runtime it reads; templates stay with the campaigns they show."""
