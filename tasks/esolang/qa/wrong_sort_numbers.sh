# Plausible wrong attempt: the insertion loop stops at J > 1, so nothing ever moves into cell 0.
set -e
cat > /home/agent/sort_numbers.ks <<'KS'
i=K 0=I
IKl[ iIt I1+=I IKl ]
1=I
IKl[
  Ig=V I=J
  1Jl VJ1-gl *[ J1-g Jt J1-=J 1Jl VJ1-gl * ]
  VJt I1+=I IKl
]
0=I IKl[ Igp 91+e I1+=I IKl ]
KS
echo /home/agent/sort_numbers.ks
