"""Ready-made architectures and models: convolutional networks (LeNet-5, VGG, ResNet) and
transfer learning, sequence models (char-LM, transformer LM, seq2seq, echo state network),
autoencoders, VAE, GAN, RBM/DBN, Boltzmann machine, self-organizing map."""

from gradkit.models.autoencoder import (
    Autoencoder,
    GaussianNoise,
    MaskingNoise,
    add_gaussian_noise,
    add_masking_noise,
    contractive_penalty,
    conv_autoencoder,
    deep_autoencoder,
    jacobian_frobenius,
    kl_sparsity_penalty,
    l1_code_penalty,
    psnr,
)
from gradkit.models.boltzmann import BoltzmannMachine
from gradkit.models.cnn import VGG, VGG_CONFIGS, BasicBlock, LeNet5, ResNet, resnet, vgg_block
from gradkit.models.gan import (
    GAN,
    dcgan_discriminator,
    dcgan_generator,
    mlp_discriminator,
    mlp_generator,
)
from gradkit.models.rbm import DBN, RBM
from gradkit.models.recommend import RBMRecommender, make_taste_ratings
from gradkit.models.seq import (
    CharRNNLM,
    EchoStateNetwork,
    RNNClassifier,
    Seq2Seq,
    TransformerLM,
    generate,
    mackey_glass,
    nrmse,
    sample_text,
)
from gradkit.models.som import SelfOrganizingMap
from gradkit.models.transfer import (
    freeze,
    load_partial_state_dict,
    replace_head,
    trainable_parameters,
    unfreeze,
)
from gradkit.models.vae import VAE, bernoulli_log_likelihood, gaussian_kl, reparameterize

__all__ = [
    "DBN", "GAN", "RBM", "VAE", "VGG", "VGG_CONFIGS", "Autoencoder", "BasicBlock",
    "BoltzmannMachine", "CharRNNLM", "EchoStateNetwork", "GaussianNoise", "LeNet5",
    "MaskingNoise", "RBMRecommender", "RNNClassifier", "ResNet", "SelfOrganizingMap",
    "Seq2Seq", "TransformerLM", "add_gaussian_noise", "add_masking_noise",
    "bernoulli_log_likelihood", "contractive_penalty", "conv_autoencoder", "dcgan_discriminator",
    "dcgan_generator", "deep_autoencoder", "freeze", "gaussian_kl", "generate",
    "jacobian_frobenius", "kl_sparsity_penalty", "l1_code_penalty", "load_partial_state_dict",
    "mackey_glass", "make_taste_ratings", "mlp_discriminator", "mlp_generator", "nrmse", "psnr",
    "replace_head", "reparameterize", "resnet", "sample_text", "trainable_parameters",
    "unfreeze", "vgg_block",
]  # fmt: skip
