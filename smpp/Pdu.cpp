#include "smpp/Pdu.hpp"
