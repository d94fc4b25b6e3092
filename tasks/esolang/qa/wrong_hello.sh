# Plausible wrong attempt: pushes the text in reading order, so it prints it reversed.
set -e
cat > /home/agent/hello.ks <<'KS'
0 91+ "Hello, Kestrel!" s d[ed]
KS
echo /home/agent/hello.ks
