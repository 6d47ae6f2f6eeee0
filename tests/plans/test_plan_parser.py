def test_import():
    import plans

    print(plans.__file__)
    assert plans.__file__.endswith("main/plans/__init__.py")
