#!/bin/bash
# timeout: 20
echo "runs in a fresh boot after the panic"
