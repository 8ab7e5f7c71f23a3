"""Test suite of ipsstats (a package so that tests import the shared ``tests.strategies``)."""
