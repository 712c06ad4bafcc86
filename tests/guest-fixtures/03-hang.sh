#!/bin/bash
# timeout: 3
echo "hanging on purpose"
sleep 1000
