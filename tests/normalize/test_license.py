"""normalize_license / commercial_use: real-world licence strings from dataset hosts."""
import pytest

from extractors.normalize.license import commercial_use, normalize_license

LICENSES = [
    # SPDX ids in any case, HF ids
    ("CC-BY-4.0", "CC-BY-4.0"),
    ("cc-by-4.0", "CC-BY-4.0"),
    ("cc-by-nc-4.0", "CC-BY-NC-4.0"),
    ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0"),
    ("cc-by-sa-3.0", "CC-BY-SA-3.0"),
    ("cc0-1.0", "CC0-1.0"),
    ("mit", "MIT"),
    ("MIT", "MIT"),
    ("apache-2.0", "Apache-2.0"),
    ("bsd-3-clause", "BSD-3-Clause"),
    ("gpl-3.0", "GPL-3.0-only"),
    ("GPL-3.0+", "GPL-3.0-or-later"),
    ("agpl-3.0", "AGPL-3.0-only"),
    ("unlicense", "Unlicense"),
    ("odc-by", "ODC-By-1.0"),
    ("pddl", "PDDL-1.0"),
    ("odbl", "ODbL-1.0"),
    ("other", "LicenseRef-Other"),
    ("llama2", "LicenseRef-llama2"),
    ("openrail", "LicenseRef-openrail"),
    ("cc", "LicenseRef-CC"),
    # Data Package / Open Data Commons
    ("ODC-PDDL-1.0", "PDDL-1.0"),
    ("ODC-BY-1.0", "ODC-By-1.0"),
    ("ODC-ODbL-1.0", "ODbL-1.0"),
    ("Open Data Commons Public Domain Dedication and License v1.0", "PDDL-1.0"),
    ("Open Data Commons Attribution License", "ODC-By-1.0"),
    ("Open Database License (ODbL)", "ODbL-1.0"),
    ("License: ODC-BY", "ODC-By-1.0"),
    # Creative Commons names
    ("Creative Commons Zero - CC0 1.0", "CC0-1.0"),
    ("Creative Commons Zero v1.0 Universal", "CC0-1.0"),
    ("CC0: Public Domain", "CC0-1.0"),
    ("CC0", "CC0-1.0"),
    ("Creative Commons Attribution 4.0 International", "CC-BY-4.0"),
    ("Creative Commons Attribution 3.0 Unported", "CC-BY-3.0"),
    ("Creative Commons Attribution-ShareAlike 4.0 International", "CC-BY-SA-4.0"),
    ("Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International", "CC-BY-NC-ND-4.0"),
    ("Creative Commons Attribution Non Commercial Share Alike 4.0 International", "CC-BY-NC-SA-4.0"),
    ("Attribution 4.0 International (CC BY 4.0)", "CC-BY-4.0"),
    ("CC BY 4.0", "CC-BY-4.0"),
    ("CC-BY 4.0", "CC-BY-4.0"),
    ("CC BY-NC-SA 4.0", "CC-BY-NC-SA-4.0"),
    ("CC BY-NC-ND 3.0 IGO", "CC-BY-NC-ND-3.0-IGO"),
    ("CC-BY", "LicenseRef-CC-BY"),            # no version stated: none invented
    ("CC BY-NC", "LicenseRef-CC-BY-NC"),
    # URLs
    ("https://creativecommons.org/licenses/by-sa/4.0/", "CC-BY-SA-4.0"),
    ("http://creativecommons.org/licenses/by-sa/4.0", "CC-BY-SA-4.0"),
    ("https://creativecommons.org/licenses/by-sa/4.0/legalcode", "CC-BY-SA-4.0"),
    ("https://creativecommons.org/licenses/by/4.0/deed.de", "CC-BY-4.0"),
    ("https://creativecommons.org/licenses/by/4.0/legalcode.fr", "CC-BY-4.0"),
    ("//creativecommons.org/licenses/by-nc/4.0/", "CC-BY-NC-4.0"),
    ("creativecommons.org/licenses/by/3.0/", "CC-BY-3.0"),
    ("https://www.creativecommons.org/licenses/by/3.0/de/", "CC-BY-3.0-DE"),
    ("https://creativecommons.org/licenses/by/2.0/xx/", "CC-BY-2.0"),   # unlisted port
    ("https://creativecommons.org/licenses/by/", "LicenseRef-CC-BY"),
    ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
    ("http://creativecommons.org/publicdomain/zero/1.0/legalcode", "CC0-1.0"),
    ("https://creativecommons.org/publicdomain/mark/1.0/", "CC-PDM-1.0"),
    ("https://opendatacommons.org/licenses/by/1-0/", "ODC-By-1.0"),
    ("http://opendatacommons.org/licenses/odbl/1.0/", "ODbL-1.0"),
    ("https://opendatacommons.org/licenses/pddl/", "PDDL-1.0"),
    ("https://spdx.org/licenses/CC-BY-4.0.html", "CC-BY-4.0"),
    ("https://spdx.org/licenses/MIT", "MIT"),
    ("https://choosealicense.com/licenses/odc-by/", "ODC-By-1.0"),
    ("https://choosealicense.com/licenses/mit/", "MIT"),
    ("https://opensource.org/licenses/Apache-2.0", "Apache-2.0"),
    ("http://www.apache.org/licenses/LICENSE-2.0", "Apache-2.0"),
    ("https://www.gnu.org/licenses/gpl-3.0.html", "GPL-3.0-only"),
    ("Creative Commons Attribution 4.0 (https://creativecommons.org/licenses/by/4.0/legalcode)",
     "CC-BY-4.0"),
    ("see https://creativecommons.org/licenses/by/4.0/.", "CC-BY-4.0"),
    # names
    ("MIT License", "MIT"),
    ("The MIT Licence", "MIT"),
    ("Apache License, Version 2.0", "Apache-2.0"),
    ("Apache 2.0", "Apache-2.0"),
    ("BSD 3-Clause License", "BSD-3-Clause"),
    ("GNU General Public License v3.0", "GPL-3.0-only"),
    ("GNU General Public License v2 or later", "GPL-2.0-or-later"),
    ("GPL-2.0 or later", "GPL-2.0-or-later"),
    ("GNU Lesser General Public License v2.1", "LGPL-2.1-only"),
    ("ISC License (ISCL)", "ISC"),
    ("Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"),
    ("Public Domain Mark 1.0", "CC-PDM-1.0"),
    ("Attribution-NonCommercial 4.0 International", "CC-BY-NC-4.0"),   # CC deed title alone
    ("CC BY 2.0 South Africa (SA)", "CC-BY-2.0"),                      # "SA" here is no ShareAlike
    ("cc-by-sa", "LicenseRef-CC-BY-SA"),
    ("Apache", "LicenseRef-Apache"),                                   # no version invented
    # labels and PyPI trove classifiers
    ("License: MIT", "MIT"),
    ("Licence: CC-BY 4.0", "CC-BY-4.0"),
    ("License :: OSI Approved :: MIT License", "MIT"),
    ("License :: OSI Approved :: Apache Software License", "LicenseRef-Apache"),
    ("License :: OSI Approved :: BSD License", "LicenseRef-BSD"),
    ("License :: OSI Approved :: GNU General Public License v3 (GPLv3)", "GPL-3.0-only"),
    ("License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)", "GPL-3.0-or-later"),
    ("License :: Public Domain", "LicenseRef-PublicDomain"),
    # lists (apply together) and mappings as hosts send them
    (["mit"], "MIT"),
    (["mit", "cc-by-nc-4.0"], "MIT AND CC-BY-NC-4.0"),
    (["mit", "MIT License", "unknown"], "MIT"),
    (["MIT OR Apache-2.0", "pddl"], "(MIT OR Apache-2.0) AND PDDL-1.0"),
    ({"id": "cc-by-4.0"}, "CC-BY-4.0"),                                 # Zenodo
    ({"@type": "CreativeWork", "text": "CC0",
      "url": "https://creativecommons.org/publicdomain/zero/1.0/"}, "CC0-1.0"),  # schema.org
    ({"name": "ODC-PDDL-1.0", "path": "http://opendatacommons.org/licenses/pddl/",
      "title": "Open Data Commons Public Domain Dedication and License v1.0"}, "PDDL-1.0"),
    ([{"name": "ODC-PDDL-1.0"}], "PDDL-1.0"),                           # Data Package licenses
    # host-specific
    ("Public", "LicenseRef-Public"),                          # OpenML visibility "Public"
    ("Other (specified in description)", "LicenseRef-Other"),  # Kaggle
    ("imagenet-agreement", "LicenseRef-ImageNet-Terms"),
    ("ImageNet Terms of Access", "LicenseRef-ImageNet-Terms"),
    ("ImageNet License", "LicenseRef-ImageNet-Terms"),
    ("LicenseRef-ImageNet-Terms", "LicenseRef-ImageNet-Terms"),
    ("licenseref-public", "LicenseRef-Public"),
    ("LicenseRef-my-Custom-1", "LicenseRef-my-Custom-1"),
    ("Public Domain", "LicenseRef-PublicDomain"),
    ("public domain", "LicenseRef-PublicDomain"),
    ("All rights reserved", "LicenseRef-All-Rights-Reserved"),
    # expressions
    ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
    ("mit or apache-2.0", "MIT OR Apache-2.0"),
    ("(MIT OR cc-by-4.0) AND pddl", "(MIT OR CC-BY-4.0) AND PDDL-1.0"),
    ("Apache-2.0 WITH LLVM-exception", "Apache-2.0 WITH LLVM-exception"),
    ("Apache 2.0 and MIT", "Apache-2.0 AND MIT"),
    ("CC BY 4.0 or MIT", "CC-BY-4.0 OR MIT"),
    ("GNU GPL v2 or later", "GPL-2.0-or-later"),        # "or later" is no operator here
    ("Creative Commons Attribution and ShareAlike 4.0", "CC-BY-SA-4.0"),
    ("CC-BY 4.0 with attribution to the authors", "CC-BY-4.0"),
    # whitespace and Unicode noise
    ("  cc-by-4.0\n", "CC-BY-4.0"),
    ("CC\u00a0BY\u00a04.0", "CC-BY-4.0"),
    # full licence text: the title line names it
    ("MIT License\nCopyright (c) 2019 pubmedqa\nPermission is hereby granted, free of charge, to "
     "any person obtaining a copy\nof this software and associated documentation files (the "
     "\"Software\"), to deal\nin the Software without restriction", "MIT"),
    ("Copyright (c) 2020 Someone\n\nPermission is hereby granted, free of charge, to any person "
     "obtaining a copy of this software and associated documentation files (the \"Software\"), "
     "to deal in the Software without restriction, including without limitation the rights",
     "MIT"),
]

NOT_LICENSES = [
    "", "   ", "unknown", "Unknown", "none", "None", "not specified", "n/a", "N/A", "-",
    "[More Information Needed]", "Open Access", "open access", "info:eu-repo/semantics/openAccess",
    "info:eu-repo/semantics/restrictedAccess", "restricted", "https://zenodo.org/records/123",
    "https://example.org/license.html", "Please cite our paper", "free for everyone",
    "MIT (images) but see paper", "CC BY-ND-SA 4.0", "Fooware License 3", None, 42, [], ["unknown"],
    {}, {"id": None}, {"name": "see description"}, "x" * 100_000, "license", "License:",
    "Images provided by CC staff", "Licensed under a Creative Commons license by the authors",
    "ImageNet-pretrained features, see licence of the paper", "((((", "MIT OR", "AND", "MIT OR OR Apache-2.0", "foo OR bar",
]


@pytest.mark.parametrize("raw, expected", LICENSES)
def test_normalize_license(raw, expected):
    assert normalize_license(raw) == expected


@pytest.mark.parametrize("raw", NOT_LICENSES)
def test_not_a_licence(raw):
    assert normalize_license(raw) is None


COMMERCIAL = [
    ("CC0-1.0", True), ("CC-BY-4.0", True), ("CC-BY-SA-4.0", True), ("CC-BY-ND-4.0", True),
    ("CC-BY-3.0-DE", True), ("MIT", True), ("Apache-2.0", True), ("BSD-3-Clause", True),
    ("PDDL-1.0", True), ("ODC-By-1.0", True), ("ODbL-1.0", True), ("GPL-3.0-only", True),
    ("Unlicense", True), ("LicenseRef-CC-BY", True), ("LicenseRef-PublicDomain", True),
    ("CC-PDM-1.0", True),
    ("CC-BY-NC-4.0", False), ("CC-BY-NC-SA-4.0", False), ("CC-BY-NC-ND-3.0-IGO", False),
    ("LicenseRef-CC-BY-NC", False), ("LicenseRef-ImageNet-Terms", False),
    ("LicenseRef-All-Rights-Reserved", False), ("PolyForm-Noncommercial-1.0.0", False),
    ("LicenseRef-Other", None), ("LicenseRef-Public", None), ("LicenseRef-CC", None),
    ("LicenseRef-llama2", None), ("C-UDA-1.0", None), ("LicenseRef-foo", None),
    ("", None), (None, None), (3, None),
    # expressions
    ("MIT OR Apache-2.0", True),
    ("CC-BY-NC-4.0 OR MIT", True),             # you may pick MIT
    ("CC-BY-NC-4.0 OR LicenseRef-ImageNet-Terms", False),
    ("CC-BY-NC-4.0 OR LicenseRef-Other", None),
    ("MIT AND CC-BY-NC-4.0", False),           # both apply: the NC part forbids it
    ("MIT AND LicenseRef-Other", None),
    ("(MIT OR CC-BY-4.0) AND PDDL-1.0", True),
    ("Apache-2.0 WITH LLVM-exception", True),
]


@pytest.mark.parametrize("spdx, expected", COMMERCIAL)
def test_commercial_use(spdx, expected):
    assert commercial_use(spdx) is expected


@pytest.mark.parametrize("raw, expected", [
    ("cc-by-nc-4.0", False), ("Creative Commons Zero - CC0 1.0", True), ("imagenet-agreement", False),
    ("Public", None), ("other", None), ("ODC-PDDL-1.0", True),
])
def test_round_trip(raw, expected):
    assert commercial_use(normalize_license(raw)) is expected
