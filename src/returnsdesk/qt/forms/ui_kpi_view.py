# Generated from ui/kpi_view.ui by scripts/build_forms.py. Do not edit: edit the .ui file.
from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QApplication, QComboBox, QGridLayout, QGroupBox,
    QHBoxLayout, QLabel, QPushButton, QSizePolicy,
    QVBoxLayout, QWidget)

from returnsdesk.qt.kpi_charts import TrendChart

class Ui_KpiView(object):
    def setupUi(self, KpiView):
        if not KpiView.objectName():
            KpiView.setObjectName(u"KpiView")
        KpiView.resize(1200, 640)
        self.rootLayout = QVBoxLayout(KpiView)
        self.rootLayout.setObjectName(u"rootLayout")
        self.controlsLayout = QHBoxLayout()
        self.controlsLayout.setObjectName(u"controlsLayout")
        self.periodLabel = QLabel(KpiView)
        self.periodLabel.setObjectName(u"periodLabel")
        self.periodLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.controlsLayout.addWidget(self.periodLabel)

        self.periodCombo = QComboBox(KpiView)
        self.periodCombo.setObjectName(u"periodCombo")

        self.controlsLayout.addWidget(self.periodCombo)

        self.stationLabel = QLabel(KpiView)
        self.stationLabel.setObjectName(u"stationLabel")
        self.stationLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.controlsLayout.addWidget(self.stationLabel)

        self.stationCombo = QComboBox(KpiView)
        self.stationCombo.setObjectName(u"stationCombo")

        self.controlsLayout.addWidget(self.stationCombo)

        self.shopLabel = QLabel(KpiView)
        self.shopLabel.setObjectName(u"shopLabel")
        self.shopLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.controlsLayout.addWidget(self.shopLabel)

        self.shopCombo = QComboBox(KpiView)
        self.shopCombo.setObjectName(u"shopCombo")

        self.controlsLayout.addWidget(self.shopCombo)

        self.refreshButton = QPushButton(KpiView)
        self.refreshButton.setObjectName(u"refreshButton")

        self.controlsLayout.addWidget(self.refreshButton)

        self.message = QLabel(KpiView)
        self.message.setObjectName(u"message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)

        self.controlsLayout.addWidget(self.message)

        self.controlsLayout.setStretch(7, 1)

        self.rootLayout.addLayout(self.controlsLayout)

        self.tilesLayout = QGridLayout()
        self.tilesLayout.setObjectName(u"tilesLayout")
        self.kpiBox0 = QGroupBox(KpiView)
        self.kpiBox0.setObjectName(u"kpiBox0")
        self.kpiLayout0 = QVBoxLayout(self.kpiBox0)
        self.kpiLayout0.setObjectName(u"kpiLayout0")
        self.kpiValue0 = QLabel(self.kpiBox0)
        self.kpiValue0.setObjectName(u"kpiValue0")
        self.kpiValue0.setTextFormat(Qt.TextFormat.PlainText)

        self.kpiLayout0.addWidget(self.kpiValue0)

        self.kpiChart0 = TrendChart(self.kpiBox0)
        self.kpiChart0.setObjectName(u"kpiChart0")

        self.kpiLayout0.addWidget(self.kpiChart0)

        self.kpiLayout0.setStretch(1, 1)

        self.tilesLayout.addWidget(self.kpiBox0, 0, 0, 1, 1)

        self.kpiBox1 = QGroupBox(KpiView)
        self.kpiBox1.setObjectName(u"kpiBox1")
        self.kpiLayout1 = QVBoxLayout(self.kpiBox1)
        self.kpiLayout1.setObjectName(u"kpiLayout1")
        self.kpiValue1 = QLabel(self.kpiBox1)
        self.kpiValue1.setObjectName(u"kpiValue1")
        self.kpiValue1.setTextFormat(Qt.TextFormat.PlainText)

        self.kpiLayout1.addWidget(self.kpiValue1)

        self.kpiChart1 = TrendChart(self.kpiBox1)
        self.kpiChart1.setObjectName(u"kpiChart1")

        self.kpiLayout1.addWidget(self.kpiChart1)

        self.kpiLayout1.setStretch(1, 1)

        self.tilesLayout.addWidget(self.kpiBox1, 0, 1, 1, 1)

        self.kpiBox2 = QGroupBox(KpiView)
        self.kpiBox2.setObjectName(u"kpiBox2")
        self.kpiLayout2 = QVBoxLayout(self.kpiBox2)
        self.kpiLayout2.setObjectName(u"kpiLayout2")
        self.kpiValue2 = QLabel(self.kpiBox2)
        self.kpiValue2.setObjectName(u"kpiValue2")
        self.kpiValue2.setTextFormat(Qt.TextFormat.PlainText)

        self.kpiLayout2.addWidget(self.kpiValue2)

        self.kpiChart2 = TrendChart(self.kpiBox2)
        self.kpiChart2.setObjectName(u"kpiChart2")

        self.kpiLayout2.addWidget(self.kpiChart2)

        self.kpiLayout2.setStretch(1, 1)

        self.tilesLayout.addWidget(self.kpiBox2, 0, 2, 1, 1)

        self.kpiBox3 = QGroupBox(KpiView)
        self.kpiBox3.setObjectName(u"kpiBox3")
        self.kpiLayout3 = QVBoxLayout(self.kpiBox3)
        self.kpiLayout3.setObjectName(u"kpiLayout3")
        self.kpiValue3 = QLabel(self.kpiBox3)
        self.kpiValue3.setObjectName(u"kpiValue3")
        self.kpiValue3.setTextFormat(Qt.TextFormat.PlainText)

        self.kpiLayout3.addWidget(self.kpiValue3)

        self.kpiChart3 = TrendChart(self.kpiBox3)
        self.kpiChart3.setObjectName(u"kpiChart3")

        self.kpiLayout3.addWidget(self.kpiChart3)

        self.kpiLayout3.setStretch(1, 1)

        self.tilesLayout.addWidget(self.kpiBox3, 1, 0, 1, 1)

        self.kpiBox4 = QGroupBox(KpiView)
        self.kpiBox4.setObjectName(u"kpiBox4")
        self.kpiLayout4 = QVBoxLayout(self.kpiBox4)
        self.kpiLayout4.setObjectName(u"kpiLayout4")
        self.kpiValue4 = QLabel(self.kpiBox4)
        self.kpiValue4.setObjectName(u"kpiValue4")
        self.kpiValue4.setTextFormat(Qt.TextFormat.PlainText)

        self.kpiLayout4.addWidget(self.kpiValue4)

        self.kpiChart4 = TrendChart(self.kpiBox4)
        self.kpiChart4.setObjectName(u"kpiChart4")

        self.kpiLayout4.addWidget(self.kpiChart4)

        self.kpiLayout4.setStretch(1, 1)

        self.tilesLayout.addWidget(self.kpiBox4, 1, 1, 1, 1)

        self.kpiBox5 = QGroupBox(KpiView)
        self.kpiBox5.setObjectName(u"kpiBox5")
        self.kpiLayout5 = QVBoxLayout(self.kpiBox5)
        self.kpiLayout5.setObjectName(u"kpiLayout5")
        self.kpiValue5 = QLabel(self.kpiBox5)
        self.kpiValue5.setObjectName(u"kpiValue5")
        self.kpiValue5.setTextFormat(Qt.TextFormat.PlainText)

        self.kpiLayout5.addWidget(self.kpiValue5)

        self.kpiChart5 = TrendChart(self.kpiBox5)
        self.kpiChart5.setObjectName(u"kpiChart5")

        self.kpiLayout5.addWidget(self.kpiChart5)

        self.kpiLayout5.setStretch(1, 1)

        self.tilesLayout.addWidget(self.kpiBox5, 1, 2, 1, 1)


        self.rootLayout.addLayout(self.tilesLayout)

        self.footnote = QLabel(KpiView)
        self.footnote.setObjectName(u"footnote")
        self.footnote.setTextFormat(Qt.TextFormat.PlainText)
        self.footnote.setWordWrap(True)

        self.rootLayout.addWidget(self.footnote)

        self.rootLayout.setStretch(1, 1)
        self.periodLabel.setBuddy(self.periodCombo)
        self.stationLabel.setBuddy(self.stationCombo)
        self.shopLabel.setBuddy(self.shopCombo)
        QWidget.setTabOrder(self.periodCombo, self.stationCombo)
        QWidget.setTabOrder(self.stationCombo, self.shopCombo)
        QWidget.setTabOrder(self.shopCombo, self.refreshButton)

        self.retranslateUi(KpiView)

        QMetaObject.connectSlotsByName(KpiView)
    # setupUi

    def retranslateUi(self, KpiView):
        self.periodLabel.setText(QCoreApplication.translate("KpiView", u"Period", None))
        self.stationLabel.setText(QCoreApplication.translate("KpiView", u"Stations", None))
        self.shopLabel.setText(QCoreApplication.translate("KpiView", u"Shop", None))
        self.refreshButton.setText(QCoreApplication.translate("KpiView", u"Refresh (F5)", None))
        self.message.setText("")
        self.message.setAccessibleName(QCoreApplication.translate("KpiView", u"KPI message", None))
        self.kpiBox0.setTitle(QCoreApplication.translate("KpiView", u"Return rate", None))
        self.kpiValue0.setText(QCoreApplication.translate("KpiView", u"\u2013", None))
        self.kpiValue0.setAccessibleName(QCoreApplication.translate("KpiView", u"Return rate", None))
        self.kpiChart0.setAccessibleName(QCoreApplication.translate("KpiView", u"Return rate by week", None))
        self.kpiBox1.setTitle(QCoreApplication.translate("KpiView", u"Processing time", None))
        self.kpiValue1.setText(QCoreApplication.translate("KpiView", u"\u2013", None))
        self.kpiValue1.setAccessibleName(QCoreApplication.translate("KpiView", u"Processing time", None))
        self.kpiChart1.setAccessibleName(QCoreApplication.translate("KpiView", u"Processing time by week", None))
        self.kpiBox2.setTitle(QCoreApplication.translate("KpiView", u"Cost per return", None))
        self.kpiValue2.setText(QCoreApplication.translate("KpiView", u"\u2013", None))
        self.kpiValue2.setAccessibleName(QCoreApplication.translate("KpiView", u"Cost per return", None))
        self.kpiChart2.setAccessibleName(QCoreApplication.translate("KpiView", u"Cost per return by week", None))
        self.kpiBox3.setTitle(QCoreApplication.translate("KpiView", u"Refund accuracy", None))
        self.kpiValue3.setText(QCoreApplication.translate("KpiView", u"\u2013", None))
        self.kpiValue3.setAccessibleName(QCoreApplication.translate("KpiView", u"Refund accuracy", None))
        self.kpiChart3.setAccessibleName(QCoreApplication.translate("KpiView", u"Refund accuracy by week", None))
        self.kpiBox4.setTitle(QCoreApplication.translate("KpiView", u"Recovery rate", None))
        self.kpiValue4.setText(QCoreApplication.translate("KpiView", u"\u2013", None))
        self.kpiValue4.setAccessibleName(QCoreApplication.translate("KpiView", u"Recovery rate", None))
        self.kpiChart4.setAccessibleName(QCoreApplication.translate("KpiView", u"Recovery rate by week", None))
        self.kpiBox5.setTitle(QCoreApplication.translate("KpiView", u"Kept in stock", None))
        self.kpiValue5.setText(QCoreApplication.translate("KpiView", u"\u2013", None))
        self.kpiValue5.setAccessibleName(QCoreApplication.translate("KpiView", u"Kept in stock", None))
        self.kpiChart5.setAccessibleName(QCoreApplication.translate("KpiView", u"Kept in stock by week", None))
        self.footnote.setText(QCoreApplication.translate("KpiView", u"Weeks start on Monday (site time); * marks a week the period cuts. Hover a figure for what it means; the KPI report (Reports, Ctrl+4) has the definitions and the counts.", None))
        pass
    # retranslateUi
