"""The OneRoster binding both transports share: the CSV package and the REST service carry one data model.

Per version, what each file/collection holds (``schema``), the vocabularies and the drift real exports
show (``vocab``), which field lands in which shared-model column (``columns``), the checks within a file
and across files (``fields``, ``lifecycle``, ``references``) with their findings (``rows``, ``report``),
and the normalization onto the shared model (``normalize``, ``people``, ``batch``). How rows arrive is the
transport's business: ``connectors.oneroster_csv`` reads packages, ``connectors.oneroster_api`` pages a
service and flattens its JSON into the same columns.
"""
