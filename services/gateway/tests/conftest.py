pytest_plugins = ["kohub_platform.testing"]
