"""PPPoE service accounts (in progress: waits for the routers client)."""


def pppoe_accounts_follow_customers(*, organization_id, customer_ids):
    return None


def router_choices_by_name():
    return {}


def usernames_taken(usernames):
    return set()


def pppoe_accounts_import(*, organization, rows):
    raise NotImplementedError


def router_list():
    return []
