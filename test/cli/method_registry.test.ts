import { describe, expect, it } from 'vitest';

import { recipeDevice } from '../../src/cli/commands/train.js';
import { chooseRecipe, METHODS, recipesAsFlags, resolveMethodOptions } from '../../src/cli/method_registry.js';
import { IIC, IIC_DEFAULTS, IIC_RECIPES } from '../../src/methods/iic.js';
import type { IicOptions } from '../../src/methods/iic.js';

describe('method registry: one default per option, recipes over it', () => {
  it("IIC's flag defaults are its class's (no second copy)", () => {
    const entry = METHODS.iic;
    const defaults = Object.fromEntries(entry.options.map((o) => [o.name, o.default]));
    const config = new IIC().config;
    expect(defaults).toMatchObject({
      backbone: IIC_DEFAULTS.backbone,
      clusters: config.numClusters,
      overcluster: config.overclusterClusters,
      'sub-heads': config.subHeads,
      'head-schedule': config.headSchedule,
      repeats: config.repeats,
      lambda: config.lambda,
    });
    expect(entry.defaults).toBe(IIC_DEFAULTS);
    // The example and the CLI agree with the class on the sub-heads: 2 (the paper's recipe: 5).
    expect(config.subHeads).toBe(2);
  });

  it("takes IIC's recipes from its module (IIC_RECIPES), in flags", () => {
    const recipes = METHODS.iic.recipes!;
    expect(Object.keys(recipes)).toEqual(Object.keys(IIC_RECIPES));
    expect(recipes.cpu).toEqual({ ...IIC_RECIPES.cpu, options: { backbone: IIC_RECIPES.cpu.options.backbone, lambda: IIC_RECIPES.cpu.options.lambda, repeats: IIC_RECIPES.cpu.options.repeats, 'head-schedule': IIC_RECIPES.cpu.options.headSchedule, 'min-cluster-share': IIC_RECIPES.cpu.options.minClusterShare } });
    // The paper's recipe spells out the paper's values (a change of IIC_DEFAULTS must not change it).
    expect(recipes.paper!.options).toEqual({ backbone: 'F', clusters: 10, overcluster: 50, 'sub-heads': 5, repeats: 5, lambda: 1, 'head-schedule': 'alternate', 'min-cluster-share': 0 });
    expect(() => recipesAsFlags<IicOptions>({ cpu: { note: '', options: { views: {} } } }, { lambda: 'lambda' })).toThrow('The cpu recipe sets views, which has no flag.');
    expect(() => recipesAsFlags<IicOptions>({ gpu: { note: '', options: { backbone: [8, 'M'] } } }, { backbone: 'backbone' })).toThrow('The gpu recipe\'s backbone is not a flag value: [8,"M"].');
  });

  it('picks the CPU recipe on a CPU backend, the GPU one on a GPU, the paper on request', () => {
    const entry = METHODS.iic;
    expect(chooseRecipe(entry, 'cpu')?.name).toBe('cpu');
    expect(chooseRecipe(entry, 'gpu')?.name).toBe('gpu');
    expect(chooseRecipe(entry, 'gpu', true)?.name).toBe('paper');
    expect(chooseRecipe(METHODS.autoencoder, 'cpu')).toBeUndefined();
    expect(chooseRecipe(METHODS.autoencoder, 'cpu', true)).toBeUndefined();
  });

  it('gives the GPU recipe to GPU hardware only: a software WebGPU adapter gets the CPU one', () => {
    const adapter = { vendor: 'google', architecture: 'swiftshader', description: '', software: true };
    expect(recipeDevice({ device: 'gpu' })).toBe('gpu');
    expect(recipeDevice({ device: 'gpu', adapter: { ...adapter, software: false } })).toBe('gpu');
    expect(recipeDevice({ device: 'gpu', adapter })).toBe('cpu');
    expect(recipeDevice({ device: 'cpu' })).toBe('cpu');
  });

  it('resolves flags over the recipe over the class defaults', () => {
    const entry = METHODS.iic;
    const cpu = chooseRecipe(entry, 'cpu')!.recipe;
    expect(cpu).toMatchObject({ epochs: 11, learningRate: 1e-3 });
    const options = resolveMethodOptions(entry, { lambda: 2 }, cpu);
    expect(options).toMatchObject({ backbone: 'small', 'head-schedule': 'joint', repeats: 2, lambda: 2, 'sub-heads': IIC_DEFAULTS.subHeads });
    // The paper's recipe: the class's defaults (VGG F, λ 1, heads alternating) plus its batch and views.
    const paper = chooseRecipe(entry, 'cpu', true)!.recipe;
    expect(paper).toMatchObject({ batchSize: 700, learningRate: 1e-4 });
    expect(resolveMethodOptions(entry, {}, paper)).toMatchObject({ backbone: 'F', lambda: 1, 'head-schedule': 'alternate', repeats: 5, 'sub-heads': 5 });
    expect(resolveMethodOptions(entry, {}, cpu)['sub-heads']).toBe(2);
    // No recipe: the class's defaults.
    expect(resolveMethodOptions(entry, {})).toMatchObject({ backbone: 'F', lambda: 1, 'head-schedule': 'alternate', repeats: 1 });
  });
});
