"""Export N members (whole tree, as ban.tochuc) to a streamed XLSX in a fresh process; print time and peak RSS."""

import resource
import sys
import time

import django

django.setup()

from chibo.accounts.models import User  # noqa: E402
from chibo.bulk import exports  # noqa: E402
from chibo.core.access import actor_from_user  # noqa: E402
from chibo.members.selectors import MemberFilters  # noqa: E402

n = int(sys.argv[1])
actor = actor_from_user(User.objects.get(username="ban.tochuc"))
original = exports.export_queryset
exports.export_queryset = lambda a, f: original(a, f)[:n]  # the first N rows of the list as sorted on screen
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.perf_counter()
size = 0
for block in exports.stream_member_xlsx(actor, MemberFilters()):
    size += len(block)
seconds = time.perf_counter() - t
print(f"rows={n}\nseconds={seconds:.3f}\nbytes={size}\nbase_rss_mb={base:.1f}\n"
      f"rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")
