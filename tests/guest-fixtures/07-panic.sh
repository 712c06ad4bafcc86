#!/bin/bash
# A kernel panic (sysrq c): reported "# panic"; the tests after it still run.
# timeout: 20
# may-crash: yes
echo c >/proc/sysrq-trigger
sleep 30
