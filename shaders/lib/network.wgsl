// The network as every kernel reads it, appended by src/gpu/shaders.ts: the sizes, the flat
// parameter layout [W1 (H·D) | b1 (H) | W2 (H) | b2 (1)], and the forward pass of one sample.
// Every size and offset is an override constant set by src/gpu/layout.ts, with no default here,
// so a missing one fails pipeline creation instead of silently mismatching.
// The kernel declares the inputs `x` (N×D, row-major) and two functions: theta(k), parameter k of
// the flat layout wherever the kernel keeps it, and keepHidden(n, j, z1, a1), which stores what its
// backward pass needs.

override D: u32;        // input size d
override H: u32;        // hidden width
override N: u32;        // batch size
override LOSS: u32;     // 0: BCE from the logit, 1: MSE on yHat
override ACT: u32;      // the hidden activation: 0 relu, 1 leaky, 2 tanh, 3 sigmoid (common.wgsl)
override WG: u32;       // workgroup size
override W1_OFF: u32;
override B1_OFF: u32;
override W2_OFF: u32;
override B2_OFF: u32;
override P_SIZE: u32;

// z1_j = W1_j · x_n + b1_j, the pre-activation of hidden unit j for sample n.
fn preActivation(n: u32, j: u32) -> f32 {
  var z1 = theta(B1_OFF + j);
  for (var i = 0u; i < D; i++) {
    z1 += theta(W1_OFF + j * D + i) * x[n * D + i];
  }
  return z1;
}

// The forward pass of sample n: a1 = f(z1) for every unit (handed to keepHidden), then the logit
// z2 = W2 a1 + b2, returned.
fn forwardSample(n: u32) -> f32 {
  return forwardWidth(n, H);
}

// The same for a network of width h ≤ H kept in the layout of width H (the many-models kernels'
// width groups): the units j ≥ h are left out. The loop bound stays the constant H, so drivers can unroll it.
fn forwardWidth(n: u32, h: u32) -> f32 {
  var z2 = theta(B2_OFF);
  for (var j = 0u; j < H; j++) {
    if (j >= h) {
      break;
    }
    let z1 = preActivation(n, j);
    let a1 = activate(z1);
    keepHidden(n, j, z1, a1);
    z2 += theta(W2_OFF + j) * a1;
  }
  return z2;
}

// Which tensor flat index k belongs to, with its row j and column i, read from the offsets.
const T_W1: u32 = 0u;
const T_B1: u32 = 1u;
const T_W2: u32 = 2u;
const T_B2: u32 = 3u;

struct Element {
  tensor: u32,
  j: u32,
  i: u32,
}

fn element(k: u32) -> Element {
  if (k >= W1_OFF && k < W1_OFF + H * D) {
    return Element(T_W1, (k - W1_OFF) / D, (k - W1_OFF) % D);   // W1[j][i]
  }
  if (k >= B1_OFF && k < B1_OFF + H) {
    return Element(T_B1, k - B1_OFF, 0u);                       // b1[j]
  }
  if (k >= W2_OFF && k < W2_OFF + H) {
    return Element(T_W2, k - W2_OFF, 0u);                       // W2[0][j]
  }
  return Element(T_B2, 0u, 0u);                                 // b2[0]
}
