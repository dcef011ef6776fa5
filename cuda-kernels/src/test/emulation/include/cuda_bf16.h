// Emulation stub: the CUDA declarations the kernels need come from cuda_emulation.h.
#pragma once
#include "../cuda_emulation.h"
