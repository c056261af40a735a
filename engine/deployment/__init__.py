"""Deploying process sets from outside: the files process owners upload (BPMN, DMN, form JSON), checked
before anything is stored (`validation`), how uploads become paths in a set (`files`), and the record of
each deployment (`models`). The use cases are in `engine.services.deployments`."""
