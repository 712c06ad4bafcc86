#!/bin/bash
# timeout: 20
echo "deliberate failure: expected 2, got 3"
exit 1
